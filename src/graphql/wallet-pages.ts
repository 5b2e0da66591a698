import { ClumioError } from '../clumio/errors.js';
import type { WalletPage } from '../clumio/wallet.js';
import type { CursorCodec, CursorPosition } from './cursor.js';
import { badUserInput } from './errors.js';

export const defaultPageSize = 25;
export const maxPageSize = 100;

/**
 * Clumio pages a `wallets` field may read. A chain of page tokens keeps the page size it began
 * with, so a client that pages 1 at a time and then asks for 100 would need 100 reads: past this
 * many, it gets a shorter page (hasNextPage true, its endCursor goes on) rather than a failure.
 */
export const maxPagesPerField = 10;

/** One shown wallet: the Clumio page it came from and its offset there. */
export interface PagePosition {
  page: WalletPage;
  offset: number;
}

/** What the connection shows: wallets from one Clumio page, or the end of one and the start of the next. */
export interface WalletConnectionSource {
  items: PagePosition[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Reads one Clumio page of the caller's wallets (the wallet service's `list`). */
export type ListWallets = (page: { limit: number; start: string }) => Promise<WalletPage>;

/** The `wallets` field's arguments. */
export interface WalletsArgs {
  first?: number | null;
  after?: string | null;
}

function pageSize(first: number | null | undefined): number {
  const size = first ?? defaultPageSize;
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw badUserInput(`\`first\` must be from 1 to ${maxPageSize}.`, 'first');
  }
  return size;
}

// Shows `size` wallets of `page` from `from`, or fewer where the page ends.
function sliceOf(page: WalletPage, from: number, size: number): PagePosition[] {
  const end = Math.min(from + size, page.wallets.length);
  const items: PagePosition[] = [];
  for (let offset = from; offset < end; offset++) items.push({ page, offset });
  return items;
}

// Whether anything follows position `offset` of `page` (offset -1: before its first wallet).
function continuesAfter(page: WalletPage, offset: number): boolean {
  return offset < page.wallets.length - 1 || page.nextStart !== null;
}

// A page that only fills up a longer one: when the operation has no Clumio calls left for it,
// the page shown is shorter instead (its endCursor goes on from there).
async function followingPage(list: ListWallets, start: string, limit: number): Promise<WalletPage | null> {
  try {
    return await list({ start, limit });
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
  list: ListWallets,
  start: string,
  limit: number,
  size: number,
  fromOf: (page: WalletPage) => number = () => 0,
): Promise<WalletConnectionSource> {
  let page = await list({ start, limit });
  let from = fromOf(page);
  const hasPreviousPage = from > 0 || page.hasPrevious;
  const items = sliceOf(page, from, size);
  for (let reads = 1; items.length < size && page.nextStart !== null && reads < maxPagesPerField; reads++) {
    const next = await followingPage(list, page.nextStart, limit);
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

/** The wallets the `wallets` field shows for `first` and `after`, read page by page through `list`. */
export function walletsConnection(list: ListWallets, cursors: CursorCodec, { first, after }: WalletsArgs): Promise<WalletConnectionSource> {
  const size = pageSize(first);
  // A first page has no token yet: it is asked for with the page size shown.
  if (after === undefined || after === null) return collect(list, '', size, size);
  const position = cursors.decode(after);
  if (position.next !== null) return collect(list, position.next, position.limit, size);
  return collect(list, position.start, position.limit, size, fromCursor(position));
}
