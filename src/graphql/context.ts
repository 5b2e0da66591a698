import type { YogaInitialContext } from 'graphql-yoga';
import { abandonmentOf } from '../request/abandonment.js';
import { Deadline } from '../request/deadline.js';
import type { CursorCodec } from './cursor.js';
import { readCaller, type CallerResult } from './credentials.js';
import type { LiveWallets } from './live/live-wallets.js';
import { requestIdOf } from '../request/request-id.js';
import { WalletService } from './wallet-service.js';
import type { WalletsApi } from '../clumio/wallets-api.js';

/** What every resolver gets: the request's id, its caller-bound wallet calls, the cursor codec. */
export interface GatewayContext {
  requestId: string;
  wallets: WalletService;
  cursors: CursorCodec;
  /**
   * Aborts when the caller leaves or the operation's time is up; what its upstream calls listen
   * to. Released (clock stopped) when its execution is done.
   */
  deadline: Deadline;
  /** The caller's credentials as read from the request (subscriptions poll with them). */
  caller: CallerResult;
  /**
   * The HTTP request. Its signal aborts when the caller disconnects, with no deadline, as a
   * subscription outlives it; only subscriptions read it (a request view makes it on first read).
   */
  request: Request;
  /** Live wallet state for subscriptions, shared across requests (polls are per caller). */
  live: LiveWallets;
}

export interface ContextDeps {
  api: WalletsApi;
  cursors: CursorCodec;
  operationDeadlineMs: number;
  upstreamCallBudget: number;
  upstreamConcurrency: number;
  live: LiveWallets;
  /** Extra headers for upstream calls of this operation (trace context); gets Yoga's context. */
  upstreamHeaders?: (initial: YogaInitialContext) => Record<string, string>;
}

export function createContextFactory(deps: ContextDeps) {
  return (initial: YogaInitialContext): GatewayContext => {
    const { request } = initial;
    const requestId = requestIdOf(request);
    // Retries read the deadline back from it, so they never wait past it.
    const deadline = new Deadline(deps.operationDeadlineMs, abandonmentOf(request));
    const headers = { 'x-request-id': requestId, ...deps.upstreamHeaders?.(initial) };
    const caller = readCaller(request.headers);
    return {
      requestId,
      cursors: deps.cursors,
      deadline,
      caller,
      request,
      live: deps.live,
      wallets: new WalletService({
        api: deps.api,
        caller,
        cursors: deps.cursors,
        headers,
        cancellation: deadline,
        budget: deps.upstreamCallBudget,
        concurrency: deps.upstreamConcurrency,
      }),
    };
  };
}
