import { json, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { settle } from './lifecycle.js';
import { pageLink, type Link } from './links.js';
import { parsePageQuery, startToken } from './pagination.js';
import { walletJson } from './serialize.js';
import { indexAfter, type Organization, type Wallet } from './store.js';

/** Token of the page that begins at `index`: it names the wallet just before it. */
function tokenAt(wallets: readonly Wallet[], index: number, limit: number): string {
  return index <= 0 ? '' : startToken(wallets[index - 1]!.seq, limit);
}

export function listWallets(ctx: ApiContext, org: Organization, unit: string, query: string): Answer {
  const { limit, start, after } = parsePageQuery(query, ctx.paging);
  const all = org.visibleIn(unit);
  const first = indexAfter(all, after);
  const end = Math.min(first + limit, all.length);
  const items: string[] = [];
  for (let i = first; i < end; i++) {
    const wallet = all[i]!;
    settle(wallet, false, ctx.autoInstallAfterMs);
    items.push(walletJson(wallet));
  }
  const links: Record<string, Link> = {
    _self: pageLink(limit, start),
    _first: pageLink(limit, ''),
    _last: pageLink(limit, tokenAt(all, all.length === 0 ? 0 : Math.floor((all.length - 1) / limit) * limit, limit)),
  };
  if (end < all.length) links._next = pageLink(limit, tokenAt(all, end, limit));
  if (first > 0) links._prev = pageLink(limit, tokenAt(all, Math.max(0, first - limit), limit));
  const head = `{"current_count":${items.length},"limit":${limit},"start":${JSON.stringify(start)}`;
  return json(200, `${head},"_embedded":{"items":[${items.join(',')}]},"_links":${JSON.stringify(links)}}`);
}
