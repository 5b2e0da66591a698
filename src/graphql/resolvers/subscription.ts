import type { Wallet } from '../../clumio/wallet.js';
import { isValidWalletId, walletIdRules } from '../../clumio/wallet-id.js';
import type { SubscriptionResolvers } from '../../generated/resolvers-types.js';
import { badUserInput, gatewayError } from '../errors.js';
import { errorOf, type LiveEvent } from '../live/live-event.js';

export const Subscription: SubscriptionResolvers = {
  walletChanged: {
    // Everything is checked before the first poll: a bad id or token costs no upstream call.
    subscribe(_parent, { id }, { caller, live, requestId, requestSignal }) {
      if (!isValidWalletId(id)) throw badUserInput(`Invalid wallet id: expected ${walletIdRules}.`, 'id');
      if (!caller.ok) throw gatewayError(caller.code, caller.reason);
      return live.watch(caller.caller, id, requestId, requestSignal);
    },
    // The error that ends a watch (NOT_FOUND, UNAUTHENTICATED, ...) is the stream's last event.
    resolve(event: LiveEvent): Wallet {
      if ('error' in event) throw errorOf(event);
      return event.wallet;
    },
  },
};
