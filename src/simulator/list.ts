import { json, type Answer } from './answer.js';
import type { ApiContext } from './context.js';
import { settle } from './lifecycle.js';
import { pageLink, type Link } from './links.js';
import { parsePageQuery, startToken } from './pagination.js';
import { walletJson } from './serialize.js';
import type { Organization } from './store.js';

/** Token of the page that begins at `index`: it names the wallet just before it. */
function tokenAt(org: Organization, index: number): string {
  return index <= 0 ? '' : startToken(org.wallets[index - 1]!.seq);
}

export function listWallets(ctx: ApiContext, org: Organization, query: string): Answer {
  const { limit, start, after } = parsePageQuery(query, ctx.sizes);
  const all = org.wallets;
  const first = org.indexAfter(after);
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
    _last: pageLink(limit, tokenAt(org, all.length === 0 ? 0 : Math.floor((all.length - 1) / limit) * limit)),
  };
  if (end < all.length) links._next = pageLink(limit, tokenAt(org, end));
  if (first > 0) links._prev = pageLink(limit, tokenAt(org, Math.max(0, first - limit)));
  const head = `{"current_count":${items.length},"limit":${limit},"start":${JSON.stringify(start)}`;
  return json(200, `${head},"_embedded":{"items":[${items.join(',')}]},"_links":${JSON.stringify(links)}}`);
}
