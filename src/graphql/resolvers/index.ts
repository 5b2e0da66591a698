import type { Resolvers } from '../../generated/resolvers-types.js';
import { Int64 } from './int64.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { Wallet } from './wallet.js';
import { WalletConnection } from './wallet-connection.js';

export const resolvers: Resolvers = { Int64, Query, Mutation, Subscription, Wallet, WalletConnection };
