import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

function release(context: unknown): void {
  (context as Partial<GatewayContext>).deadline?.release();
}

/**
 * Stops an operation's deadline clock as soon as its execution is done, instead of leaving
 * a timer per request running for the whole deadline. A subscription does not use the
 * operation deadline (its polls have their own), so it is released at once.
 */
export function useOperationDeadline(): Plugin {
  // One hook object for every operation: envelop hands onExecuteDone the same args.
  const releaseWhenDone = {
    onExecuteDone({ args }: { args: { contextValue: unknown } }) {
      release(args.contextValue);
    },
  };
  return {
    onExecute() {
      return releaseWhenDone;
    },
    onSubscribe({ args }) {
      release(args.contextValue);
    },
  };
}
