import type { QueryResolvers } from '../../generated/resolvers-types.js';
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

async function pageFrom(wallets: WalletService, start: string, size: number): Promise<WalletConnectionSource> {
  const page = await wallets.list({ start, limit: size });
  const items = sliceOf(page, 0, size);
  return { items, hasNextPage: continuesAfter(page, items.length - 1), hasPreviousPage: page.hasPrevious };
}

// A mid-page cursor: read its page again and continue after its wallet, found by id so a
// wallet deleted meanwhile does not shift the position (when its wallet is gone, the one now
// at its offset is the one that followed it). Where that page ends too soon, the next page
// fills the rest: one more call, at most.
async function pageAfter(wallets: WalletService, position: CursorPosition, size: number): Promise<WalletConnectionSource> {
  const page = await wallets.list({ start: position.start, limit: position.limit });
  const at = page.wallets.findIndex((wallet) => wallet.id === position.id);
  const from = at >= 0 ? at + 1 : Math.min(position.offset, page.wallets.length);
  const items = sliceOf(page, from, size);
  const hasPreviousPage = from > 0 || page.hasPrevious;
  if (items.length === size || page.nextStart === null) {
    return { items, hasNextPage: continuesAfter(page, from + items.length - 1), hasPreviousPage };
  }
  const rest = await pageFrom(wallets, page.nextStart, size - items.length);
  return { items: [...items, ...rest.items], hasNextPage: rest.hasNextPage, hasPreviousPage };
}

export const Query: QueryResolvers = {
  wallet(_parent, { id }, { wallets }) {
    return wallets.get(id);
  },

  async wallets(_parent, { first, after }, { wallets, cursors }) {
    const size = pageSize(first);
    if (after === undefined || after === null) return pageFrom(wallets, '', size);
    const position = cursors.decode(after);
    if (position.next !== null) return pageFrom(wallets, position.next, size);
    return pageAfter(wallets, position, size);
  },
};
