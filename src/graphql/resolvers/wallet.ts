import type { WalletResolvers } from '../../generated/resolvers-types.js';

// Every other field is read as-is from the mapped wallet (src/clumio/wallet.ts).
export const Wallet: WalletResolvers = {
  __resolveReference(reference, { wallets }) {
    return wallets.get(reference.id);
  },
};
