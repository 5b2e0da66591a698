import type { WalletResolvers } from '../../generated/resolvers-types.js';
import { exactInteger } from './int64.js';

// Every other field is read as-is from the mapped wallet (src/clumio/wallet.ts).
export const Wallet: WalletResolvers = {
  availableVersion: (wallet) => exactInteger(wallet.availableVersion),
  stackVersion: (wallet) => exactInteger(wallet.stackVersion),
  __resolveReference(reference, { wallets }) {
    return wallets.get(reference.id);
  },
};
