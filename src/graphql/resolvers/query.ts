import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { badUserInput } from '../errors.js';

export const defaultPageSize = 25;
export const maxPageSize = 100;

export const Query: QueryResolvers = {
  wallet(_parent, { id }, { wallets }) {
    return wallets.get(id);
  },

  async wallets(_parent, { first, after }, { wallets, cursors }) {
    const size = first ?? defaultPageSize;
    if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
      throw badUserInput(`\`first\` must be from 1 to ${maxPageSize}.`, 'first');
    }
    if (after === undefined || after === null) {
      const page = await wallets.list({ start: '', limit: size });
      return { page, from: 0, to: page.wallets.length };
    }
    const position = cursors.decode(after);
    if (position.next !== null) {
      const page = await wallets.list({ start: position.next, limit: size });
      return { page, from: 0, to: page.wallets.length };
    }
    // Mid-page cursor: read that page again and continue after the cursor's item.
    const page = await wallets.list({ start: position.start, limit: position.limit });
    const from = Math.min(position.offset + 1, page.wallets.length);
    return { page, from, to: Math.min(from + size, page.wallets.length) };
  },
};
