import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

function release(context: unknown): void {
  (context as Partial<GatewayContext>).releaseDeadline?.();
}

/**
 * Stops an operation's deadline clock as soon as its execution is done, instead of leaving
 * a timer per request running for the whole deadline. A subscription does not use the
 * operation deadline (its polls have their own), so it is released at once.
 */
export function useOperationDeadline(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone() {
          release(args.contextValue);
        },
      };
    },
    onSubscribe({ args }) {
      release(args.contextValue);
    },
  };
}
