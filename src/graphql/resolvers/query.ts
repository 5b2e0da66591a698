import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { ClumioError } from '../../clumio/errors.js';
import type { WalletPage } from '../../clumio/wallet.js';
import type { CursorPosition } from '../cursor.js';
import { badUserInput } from '../errors.js';
import type { WalletService } from '../wallet-service.js';
import { continuesAfter, sliceOf, type WalletConnectionSource } from './wallet-connection.js';

export const defaultPageSize = 25;
export const maxPageSize = 100;

function pageSize(first: number | null | undefined): number {
  const size = first ?? defaultPageSize;
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw badUserInput(`\`first\` must be from 1 to ${maxPageSize}.`, 'first');
  }
  return size;
}

/**
 * Clumio pages a `wallets` field may read. A chain of page tokens keeps the page size it began
 * with, so a client that pages 1 at a time and then asks for 100 would need 100 reads: past this
 * many, it gets a shorter page (hasNextPage true, its endCursor goes on) rather than a failure.
 */
export const maxPagesPerField = 10;

// A page that only fills up a longer one: when the operation has no Clumio calls left for it,
// the page shown is shorter instead (its endCursor goes on from there).
async function followingPage(wallets: WalletService, start: string, limit: number): Promise<WalletPage | null> {
  try {
    return await wallets.list({ start, limit });
  } catch (error) {
    if (error instanceof ClumioError && error.code === 'UPSTREAM_BUDGET_EXCEEDED') return null;
    throw error;
  }
}

/**
 * Shows `size` wallets from position `from` of the page Clumio answers for `start` and `limit`,
 * then from the pages that follow while it falls short. A token is always sent back with the
 * page size it came with (as Clumio's SDKs do): Clumio's tokens may depend on it, and a token
 * asked for with another size could skip or repeat wallets. Any trimming happens here.
 */
async function collect(
  wallets: WalletService,
  start: string,
  limit: number,
  size: number,
  fromOf: (page: WalletPage) => number = () => 0,
): Promise<WalletConnectionSource> {
  let page = await wallets.list({ start, limit });
  let from = fromOf(page);
  const hasPreviousPage = from > 0 || page.hasPrevious;
  const items = sliceOf(page, from, size);
  for (let reads = 1; items.length < size && page.nextStart !== null && reads < maxPagesPerField; reads++) {
    const next = await followingPage(wallets, page.nextStart, limit);
    if (next === null) break;
    page = next;
    from = 0;
    items.push(...sliceOf(page, 0, size - items.length));
  }
  const shownOfLast = items.length > 0 && items.at(-1)!.page === page ? items.at(-1)!.offset : from - 1;
  return { items, hasNextPage: continuesAfter(page, shownOfLast), hasPreviousPage };
}

// A mid-page cursor: read its page again and continue after its wallet, found by id so a
// wallet deleted meanwhile does not shift the position (when its wallet is gone, the one now
// at its offset is the one that followed it).
function fromCursor(position: CursorPosition) {
  return (page: WalletPage): number => {
    const at = page.wallets.findIndex((wallet) => wallet.id === position.id);
    return at >= 0 ? at + 1 : Math.min(position.offset, page.wallets.length);
  };
}

export const Query: QueryResolvers = {
  wallet(_parent, { id }, { wallets }) {
    return wallets.get(id);
  },

  async wallets(_parent, { first, after }, { wallets, cursors }) {
    const size = pageSize(first);
    // A first page has no token yet: it is asked for with the page size shown.
    if (after === undefined || after === null) return collect(wallets, '', size, size);
    const position = cursors.decode(after);
    if (position.next !== null) return collect(wallets, position.next, position.limit, size);
    return collect(wallets, position.start, position.limit, size, fromCursor(position));
  },
};
