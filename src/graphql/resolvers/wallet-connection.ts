import type { WalletPage } from '../../clumio/wallet.js';
import type { CursorCodec, PageCursors } from '../cursor.js';
import type { WalletConnectionResolvers } from '../../generated/resolvers-types.js';

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

/** Shows `size` wallets of `page` from `from`, or fewer where the page ends. */
export function sliceOf(page: WalletPage, from: number, size: number): PagePosition[] {
  const end = Math.min(from + size, page.wallets.length);
  const items: PagePosition[] = [];
  for (let offset = from; offset < end; offset++) items.push({ page, offset });
  return items;
}

/** Whether anything follows position `offset` of `page` (offset -1: before its first wallet). */
export function continuesAfter(page: WalletPage, offset: number): boolean {
  return offset < page.wallets.length - 1 || page.nextStart !== null;
}

// The cursors of each page read (one per request: pages are not shared), signed once.
const pageCursors = new WeakMap<WalletPage, PageCursors>();

// The cursor of the page's last wallet carries the next page's token, so continuing from it
// needs no second read of this page.
function cursorOf(cursors: CursorCodec, { page, offset }: PagePosition): string {
  let ofPage = pageCursors.get(page);
  if (ofPage === undefined) pageCursors.set(page, (ofPage = cursors.forPage(page.start, page.limit, page.nextStart)));
  return ofPage.at(offset, page.wallets[offset]!.id, offset === page.wallets.length - 1);
}

export const WalletConnection: WalletConnectionResolvers = {
  edges({ items }, _args, { cursors }) {
    return items.map((item) => ({ node: item.page.wallets[item.offset]!, cursor: cursorOf(cursors, item) }));
  },
  nodes({ items }) {
    return items.map(({ page, offset }) => page.wallets[offset]!);
  },
  pageInfo({ items, hasNextPage, hasPreviousPage }, _args, { cursors }) {
    const first = items[0];
    const last = items.at(-1);
    return {
      hasNextPage,
      hasPreviousPage,
      startCursor: first ? cursorOf(cursors, first) : null,
      endCursor: last ? cursorOf(cursors, last) : null,
    };
  },
};
