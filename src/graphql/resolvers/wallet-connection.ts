import type { WalletPage } from '../../clumio/wallet.js';
import type { WalletConnectionResolvers } from '../../generated/resolvers-types.js';

/** A slice [from, to) of one Clumio page, as the connection shows it. */
export interface WalletConnectionSource {
  page: WalletPage;
  from: number;
  to: number;
}

export const WalletConnection: WalletConnectionResolvers = {
  edges({ page, from, to }, _args, { cursors }) {
    const last = page.wallets.length - 1;
    return page.wallets.slice(from, to).map((node, i) => ({
      node,
      cursor: cursors.encode({
        start: page.start,
        limit: page.limit,
        offset: from + i,
        next: from + i === last ? page.nextStart : null,
      }),
    }));
  },
  nodes({ page, from, to }) {
    return page.wallets.slice(from, to);
  },
  pageInfo({ page, from, to }, _args, { cursors }) {
    const last = page.wallets.length - 1;
    const cursorAt = (offset: number) =>
      cursors.encode({ start: page.start, limit: page.limit, offset, next: offset === last ? page.nextStart : null });
    return {
      hasNextPage: to < page.wallets.length || page.nextStart !== null,
      hasPreviousPage: from > 0 || page.hasPrevious,
      startCursor: to > from ? cursorAt(from) : null,
      endCursor: to > from ? cursorAt(to - 1) : null,
    };
  },
};
