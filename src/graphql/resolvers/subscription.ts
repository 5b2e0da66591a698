import type { Wallet } from '../../clumio/wallet.js';
import type { SubscriptionResolvers } from '../../generated/resolvers-types.js';
import { callerOf } from '../credentials.js';
import { checkWalletId } from '../errors.js';
import type { WatchEvent } from '../live/lazy-watch.js';
import { errorOf } from '../live/live-event.js';

export const Subscription: SubscriptionResolvers = {
  walletChanged: {
    // Everything is checked before the first poll: a bad id or token costs no upstream call.
    subscribe(_parent, { id }, { caller, live, requestId, request }) {
      checkWalletId(id);
      return live.watch(callerOf(caller), id, requestId, request.signal);
    },
    // The error that ends a watch (NOT_FOUND, UNAUTHENTICATED, ...) is the stream's last event.
    resolve(event: WatchEvent): Wallet {
      if ('refused' in event) throw event.refused;
      if ('error' in event) throw errorOf(event);
      return event.wallet;
    },
  },
};
