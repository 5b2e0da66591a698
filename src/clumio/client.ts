import { Pool, type Dispatcher } from 'undici';
import { BreakerOpenError, createBreaker, defaultBreakerOptions, type BreakerOptions, type BreakerState, type Verdict } from './breaker.js';
import { createCallerBreakers, defaultCallerBreakerOptions, type CallerBreakerOptions } from './caller-breakers.js';
import { answerOf, failureOf } from './answer.js';
import { exchange as rawExchange, type ExchangeOptions, type ExchangeSink, type RawExchange } from './exchange.js';
import { abortedError, ClumioError, type UpstreamErrorCode } from './errors.js';
import { asError, itself } from '../promises.js';
import { defaultRetryOptions, retryDelay, sleep, type RetryOptions } from './retry.js';
import type { CallerCredentials, ClumioOperation, ClumioRequest, ClumioResponse } from './request.js';
import type { Cancellation } from '../request/deadline.js';
import { Caller } from './caller.js';
import { createScheduler, defaultSchedulerOptions, type SchedulerOptions, type SlotWaiter } from './scheduler.js';

export interface ClumioTimeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** Until the response headers arrive (first byte). */
  headersMs: number;
  /** Until the whole body has arrived, counted from the start of the call. */
  bodyMs: number;
}

/** One finished HTTP exchange with Clumio (one attempt). */
export interface ClumioCallEvent {
  operation: ClumioOperation;
  durationMs: number;
  /** Clumio's HTTP status, when an answer arrived. */
  status?: number;
  /** The error code, when the exchange failed. */
  code?: UpstreamErrorCode;
  /** Clumio's own message of a 5xx (its internals): for the log, never for a caller. */
  upstreamMessage?: string;
  /** The operation's request id, with upstreamMessage, so the log line can be matched to it. */
  requestId?: string;
}

/** Hooks for metrics, logs and traces; the client never depends on what listens. */
export interface ClumioObserver {
  callFinished?(event: ClumioCallEvent): void;
  /** Before each retry; `attempt` is the attempt about to be made (2 is the first retry). */
  retrying?(event: { operation: ClumioOperation; attempt: number; code: UpstreamErrorCode; delayMs: number }): void;
  breakerChanged?(event: { origin: string; state: BreakerState }): void;
  /** One caller's calls are held back (its own breaker opened); `caller` is a hash of its token, never the token. */
  callerHeldBack?(event: { caller: string }): void;
  /**
   * Called as an exchange (one attempt) starts, e.g. to open a trace span. What it returns lives
   * for that exchange only: its headers go out with it (trace context), `end` gets its event.
   */
  callStarted?(request: ClumioRequest): ClumioCallScope | undefined;
}

/** One exchange's own headers and end, from ClumioObserver.callStarted. */
export interface ClumioCallScope {
  headers: Record<string, string>;
  end(event: ClumioCallEvent): void;
}

export interface ClumioClientOptions {
  /** Base URL of the Clumio API, e.g. https://us-west-2.api.clumio.com. */
  baseUrl: string;
  /** The connection pool to use; by default one keep-alive pool for the base URL's origin. */
  dispatcher?: Dispatcher;
  timeouts: ClumioTimeouts;
  /** Larger bodies are refused without being buffered whole. */
  maxResponseBytes: number;
  /** Connections in the default pool. */
  connections?: number;
  /**
   * Sent as `x-clumio-api-client: <name>`, `x-clumio-sdk-version: <name>:<version>` (as the
   * SDKs send `clumio-go-sdk:0.31.2`) and `User-Agent: <name>/<version>`.
   */
  clientName: string;
  clientVersion: string;
  observer?: ClumioObserver;
  /** When a failed call is tried again (src/clumio/retry.ts). */
  retry?: Partial<RetryOptions>;
  /** When calls stop going out because Clumio keeps failing for many callers (src/clumio/breaker.ts). */
  breaker?: Partial<BreakerOptions>;
  /** When one caller's calls are held back because they keep failing (src/clumio/caller-breakers.ts). */
  callerBreaker?: Partial<CallerBreakerOptions>;
  /** How many calls may be in flight, in all and per caller (src/clumio/scheduler.ts). */
  limits?: Partial<SchedulerOptions>;
}

/** What readiness and metrics may know about the upstream; no URL, no token. */
export interface ClumioHealth {
  breaker: BreakerState;
  inFlight: number;
  queued: number;
}

export interface ClumioClient {
  readonly origin: string;
  /** Sends one request; resolves with Clumio's answer to it (a 2xx), rejects with a ClumioError. */
  send(request: ClumioRequest): Promise<ClumioResponse>;
  /** Sends one request; resolves with what `read` makes of Clumio's answer, rejects with a ClumioError or what `read` threw. */
  send<T>(request: ClumioRequest, read: (response: ClumioResponse) => T): Promise<T>;
  health(): ClumioHealth;
  close(): Promise<void>;
}

const acceptWalletsV1 = 'application/api.clumio.wallets=v1+json';

/** Adds `headers` (lower-case names) to `list`, but for the names in `own` and those `over` sets. */
function propagate(list: string[], headers: Record<string, string> | undefined, own: ReadonlySet<string>, over: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  for (const name in headers) {
    if (!own.has(name) && (over === undefined || !(name in over))) list.push(name, headers[name]!);
  }
}

// The caller of a request's calls, made once per credentials object (one per request, shared by
// all its calls) rather than once per call, and kept on the object itself with the header it was
// made from: a copy of the object with another token gets a caller of its own, and a frozen one a
// new one every time. So its key, if a breaker asks for it, is hashed at most once per request. A
// WeakMap entry per request cost an identity hash and an ephemeron.
const callerSlot = Symbol('caller');
type CallerCredentialsHeld = CallerCredentials & { [callerSlot]?: Caller };
function callerFor(credentials: CallerCredentialsHeld): Caller {
  const held = credentials[callerSlot];
  if (held !== undefined && held.authorization === credentials.authorization) return held;
  const caller = new Caller(credentials.authorization);
  if (Object.isExtensible(credentials)) credentials[callerSlot] = caller;
  return caller;
}

// What an attempt says about Clumio's health; a caller who left or ran out of time, or a call a
// breaker refused, says nothing. A connection never made (nothing sent) is no caller's doing.
function verdictOf(error: unknown, cancellation: Cancellation | undefined): Verdict {
  if (cancellation?.aborted || !(error instanceof ClumioError) || error instanceof BreakerOpenError) return 'neutral';
  if (error.code === 'UPSTREAM_ERROR' || error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_UNAVAILABLE') {
    return error.details.outcome === 'NOT_SENT' ? 'unreachable' : 'failure';
  }
  return error.code === 'BAD_UPSTREAM_RESPONSE' ? 'neutral' : 'success';
}

export function createClumioClient(options: ClumioClientOptions): ClumioClient {
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const dispatcher =
    options.dispatcher ??
    new Pool(origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeouts.connectMs },
      headersTimeout: options.timeouts.headersMs,
      bodyTimeout: options.timeouts.bodyMs,
    });
  const ownsDispatcher = options.dispatcher === undefined;
  const fixedHeaders = [
    'accept', acceptWalletsV1,
    'x-clumio-api-client', options.clientName,
    'x-clumio-sdk-version', `${options.clientName}:${options.clientVersion}`,
    'user-agent', `${options.clientName}/${options.clientVersion}`,
  ];
  // Headers the client sets itself: one of these names among the propagated ones is not sent.
  const ownHeaderNames = new Set([...fixedHeaders.filter((_, i) => i % 2 === 0), 'authorization', 'x-clumio-organizationalunit-context', 'content-type']);

  const observer = options.observer ?? {};
  const breaker = createBreaker({ ...defaultBreakerOptions, ...options.breaker }, (state) => observer.breakerChanged?.({ origin, state }));
  const scheduler = createScheduler({ ...defaultSchedulerOptions, ...options.limits });
  const callers = createCallerBreakers({ ...defaultCallerBreakerOptions, ...options.callerBreaker }, (caller) => observer.callerHeldBack?.({ caller }));
  const retry: RetryOptions = { ...defaultRetryOptions, ...options.retry };

  /**
   * One call to Clumio, from its first attempt to its answer, as one object: each attempt passes
   * Clumio's breaker and the caller's own, takes a fair slot of the scheduler (now, or once one
   * is free), makes its exchange, which reports to the call itself (observed: a trace scope, a
   * duration, an event), and tells both breakers what the exchange said about Clumio's health; a
   * failed attempt is tried again when that is safe and fits the deadline (retry.ts). The call's
   * promise is the only one it makes on the way (a retry's backoff adds its own; a wait for a
   * busy slot is the call itself, queued): an operation of many entity keys has dozens of calls waiting or in flight, and a
   * chain of promises and closures per call held a dozen objects for as long as Clumio took.
   */
  class Call implements ExchangeSink, SlotWaiter {
    private retries = 0;
    private caller!: Caller;
    // The attempt under way: whether it holds a slot, whether it probes either breaker, its trace scope, its start.
    private holding = false;
    private probe = false;
    private callerProbe = false;
    private scope: ClumioCallScope | undefined;
    private startedAt = 0;

    constructor(
      private readonly request: ClumioRequest,
      // What the caller makes of the answer, read as the call settles (no promise of its own).
      private readonly read: (response: ClumioResponse) => unknown,
      private readonly resolve: (value: unknown) => void,
      private readonly reject: (error: unknown) => void,
    ) {}

    /** An attempt: refused by a breaker at once, else a slot now or, waiting in the scheduler, once one is free. */
    attempt(): void {
      const { request } = this;
      let free: boolean;
      try {
        const caller = (this.caller = callerFor(request.caller));
        breaker.check();
        callers.check(caller);
        free = scheduler.tryTake(caller.authorization, request.cancellation);
      } catch (error) {
        return this.failed(error);
      }
      if (free) this.exchange();
      else scheduler.wait(this.caller.authorization, this, request.cancellation);
    }

    /** The scheduler's: a slot came free for the call. */
    granted(): void {
      this.exchange();
    }

    /** The scheduler's: the operation ended while the call waited. */
    refused(error: ClumioError): void {
      this.failed(error);
    }

    // The attempt in its slot.
    private exchange(): void {
      const { request } = this;
      const { cancellation } = request;
      // A slot handed over as the operation was ending (before the call heard of it): given
      // back, and nothing is sent, admitted or observed.
      if (cancellation?.aborted) {
        scheduler.give(this.caller.authorization);
        return this.failed(abortedError(cancellation.reason, 'NOT_SENT'));
      }
      this.holding = true;
      try {
        this.callerProbe = callers.admit(this.caller);
        this.probe = breaker.admit(this.caller);
        this.scope = observer.callStarted?.(request);
      } catch (error) {
        return this.settled(verdictOf(error, cancellation), error);
      }
      this.startedAt = performance.now();
      let options: ExchangeOptions;
      try {
        options = exchangeOptions(request, this.scope?.headers);
      } catch (error) {
        // Not sent: a body that would not serialise.
        return this.exchangeFailed(error);
      }
      rawExchange(options, this);
    }

    /** Clumio's answer; one that means an error (answerOf throws) fails the attempt. */
    answered(raw: RawExchange): void {
      let response: ClumioResponse;
      try {
        response = answerOf(raw, this.request.readsBody);
      } catch (error) {
        return this.exchangeFailed(error);
      }
      this.reported({ operation: this.request.operation, durationMs: performance.now() - this.startedAt, status: response.status }, 'success', undefined, response);
    }

    exchangeFailed(error: unknown): void {
      const { request } = this;
      const failure = failureOf(error, request.cancellation);
      const event: ClumioCallEvent = {
        operation: request.operation,
        durationMs: performance.now() - this.startedAt,
        code: failure.code,
        ...(failure.details.status !== undefined ? { status: failure.details.status } : {}),
        ...(failure.details.upstreamMessage !== undefined
          ? { upstreamMessage: failure.details.upstreamMessage, requestId: request.headers?.['x-request-id'] }
          : {}),
      };
      this.reported(event, verdictOf(failure, request.cancellation), failure);
    }

    // The exchange observed (its event, its span ended), then the attempt settled. An observer
    // that throws fails the call (an error of ours, never hidden), its span ended all the same.
    private reported(event: ClumioCallEvent, verdict: Verdict, error: unknown, response?: ClumioResponse): void {
      const { scope } = this;
      this.scope = undefined;
      try {
        try {
          observer.callFinished?.(event);
        } finally {
          scope?.end(event);
        }
      } catch (thrown) {
        return this.settled('neutral', thrown);
      }
      this.settled(verdict, error, response);
    }

    // The attempt's end: its slot given back, both breakers told (each whatever the other's
    // observer does); then the call's answer, or its failure.
    private settled(verdict: Verdict, error: unknown, response?: ClumioResponse): void {
      const { holding, probe, callerProbe, caller } = this;
      this.holding = this.probe = this.callerProbe = false;
      if (holding) scheduler.give(caller.authorization);
      let thrown: unknown;
      try {
        breaker.settle(verdict, probe, caller);
      } catch (observerError) {
        thrown = observerError;
      }
      try {
        callers.settle(caller, verdict, callerProbe);
      } catch (observerError) {
        thrown ??= observerError;
      }
      if (thrown !== undefined) this.reject(asError(thrown));
      else if (response !== undefined) this.answer(response);
      else this.failed(error);
    }

    // The call's answer: what its reader makes of Clumio's (an answer it cannot read, such as a
    // wallet without an id, fails the call; Clumio answered, and the breakers heard so).
    private answer(response: ClumioResponse): void {
      let value: unknown;
      try {
        value = this.read(response);
      } catch (error) {
        return this.reject(error);
      }
      this.resolve(value);
    }

    // A failed attempt: tried again after its backoff when that is safe and fits, else the call's failure.
    private failed(error: unknown): void {
      const { request } = this;
      const delayMs = retryDelay(request, error, this.retries + 1, retry);
      if (delayMs === undefined) return this.reject(asError(error));
      this.retries++;
      try {
        observer.retrying?.({ operation: request.operation, attempt: this.retries + 1, code: (error as ClumioError).code, delayMs });
      } catch (thrown) {
        return this.reject(asError(thrown));
      }
      sleep(delayMs, request.cancellation).then(() => this.attempt(), this.reject);
    }
  }

  function send(request: ClumioRequest, read: (response: ClumioResponse) => unknown = itself): Promise<unknown> {
    return new Promise((resolve, reject) => new Call(request, read, resolve, reject).attempt());
  }

  // The HTTP request for `request`: its headers (the caller's credentials, the SDK's own, the
  // exchange's trace context), its JSON body, and the bounds of its answer. The headers go to
  // undici as a flat list of names and values, which it reads as is: an object built by
  // spreading the parts took some 2 us per call.
  function exchangeOptions(request: ClumioRequest, scopeHeaders: Record<string, string> | undefined): ExchangeOptions {
    const headers = fixedHeaders.slice();
    headers.push('authorization', request.caller.authorization);
    if (request.caller.organizationalUnit !== undefined) {
      headers.push('x-clumio-organizationalunit-context', request.caller.organizationalUnit);
    }
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers.push('content-type', 'application/json');
    }
    // The exchange's own trace context wins over the operation's.
    propagate(headers, scopeHeaders, ownHeaderNames, undefined);
    propagate(headers, request.headers, ownHeaderNames, scopeHeaders);
    return {
      dispatcher,
      request: {
        origin,
        path: basePath + request.path,
        method: request.method,
        headers,
        body,
        headersTimeout: options.timeouts.headersMs,
        bodyTimeout: options.timeouts.bodyMs,
      },
      maxBytes: options.maxResponseBytes,
      // The whole exchange, body included, must end within bodyMs.
      timeoutMs: options.timeouts.bodyMs,
      cancellation: request.cancellation,
    };
  }

  return {
    origin,
    // The overloads' types meet here: a reader's value, or the response itself without one.
    send: send as ClumioClient['send'],
    health: () => ({ breaker: breaker.state, inFlight: scheduler.inFlight, queued: scheduler.queued }),
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
