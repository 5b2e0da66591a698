import type { YogaInitialContext } from 'graphql-yoga';
import { deadlineSignal } from '../clumio/deadline.js';
import type { CursorCodec } from './cursor.js';
import { readCaller } from './credentials.js';
import { requestIdOf } from './plugins/use-request-id.js';
import { createWalletService, type WalletService } from './wallet-service.js';
import type { WalletsApi } from '../clumio/wallets-api.js';

/** What every resolver gets: the request's id, its caller-bound wallet calls, the cursor codec. */
export interface GatewayContext {
  requestId: string;
  wallets: WalletService;
  cursors: CursorCodec;
  /** Aborted when the caller leaves or the operation's deadline passes. */
  signal: AbortSignal;
}

export interface ContextDeps {
  api: WalletsApi;
  cursors: CursorCodec;
  operationDeadlineMs: number;
  upstreamCallBudget: number;
  upstreamConcurrency: number;
  /** Extra headers for upstream calls of this request (trace context). */
  upstreamHeaders?: (request: Request) => Record<string, string>;
}

export function createContextFactory(deps: ContextDeps) {
  return ({ request }: YogaInitialContext): GatewayContext => {
    const requestId = requestIdOf(request);
    // Retries read the deadline back from the signal, so they never wait past it.
    const signal = deadlineSignal(deps.operationDeadlineMs, request.signal);
    const headers = { 'x-request-id': requestId, ...deps.upstreamHeaders?.(request) };
    return {
      requestId,
      cursors: deps.cursors,
      signal,
      wallets: createWalletService({
        api: deps.api,
        caller: readCaller(request.headers),
        headers,
        signal,
        budget: deps.upstreamCallBudget,
        concurrency: deps.upstreamConcurrency,
      }),
    };
  };
}
