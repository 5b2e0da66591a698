import type { QueryResolvers } from '../../generated/resolvers-types.js';

export const Query: QueryResolvers = {
  wallet(_parent, { id }, { wallets }) {
    return wallets.get(id);
  },

  wallets(_parent, args, { wallets }) {
    return wallets.page(args);
  },
};
