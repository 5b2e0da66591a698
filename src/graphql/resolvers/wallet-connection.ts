import type { WalletPage } from '../../clumio/wallet.js';
import type { CursorCodec, PageCursors } from '../cursor.js';
import type { WalletConnectionResolvers } from '../../generated/resolvers-types.js';
import type { PagePosition } from '../wallet-pages.js';

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
