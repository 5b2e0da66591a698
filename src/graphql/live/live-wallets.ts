import { createHash } from 'node:crypto';
import type { CallerCredentials } from '../../clumio/request.js';
import type { GraphQLError } from 'graphql';
import { ClumioError, type UpstreamErrorCode } from '../../clumio/errors.js';
import type { WalletsApi } from '../../clumio/wallets-api.js';
import type { LiveBackend } from './live-backend.js';
import { errorEvent, type LiveEvent } from './live-event.js';
import { LazyWatch, type WatchEvent } from './lazy-watch.js';
import { Subscriber } from './subscriber.js';
import { Departure } from '../../request/abandonment.js';
import { Deadline } from '../../request/deadline.js';
import { gatewayError } from '../errors.js';
import { callerKey as callerKeyOf } from '../../clumio/caller.js';

export interface LiveWalletsOptions {
  api: WalletsApi;
  backend: LiveBackend;
  /** How often a watched wallet is read. */
  pollIntervalMs: number;
  /** Deadline of one read, as for an operation. */
  readDeadlineMs: number;
  maxPerCaller: number;
  maxTotal: number;
}

/** Failures after which watching cannot succeed (Clumio refuses the read itself): the stream ends with them. */
const terminalCodes = new Set<UpstreamErrorCode>(['NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'UPSTREAM_REJECTED']);
/** A 429 postpones the next read by its Retry-After, within this bound. */
const maxRateLimitWaitMs = 60_000;

// One poll per watched key (caller and wallet) on this replica, shared by its subscribers.
interface Poll {
  key: string;
  caller: CallerCredentials;
  walletId: string;
  requestId: string;
  subscribers: Set<Subscriber>;
  latest: { json: string; event: LiveEvent } | undefined;
  /** Told when the poll stops (its last subscriber left). */
  stopped: Departure;
  timer: NodeJS.Timeout | undefined;
}

// Hashes, never the raw token: keys name Redis channels and sit in maps a heap dump shows.
function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * Live wallet state: polls Clumio with the subscriber's own credentials, one poll per caller
 * and wallet however many identical subscriptions watch it, fanned out through the pubsub,
 * stopped when the last subscriber leaves. Each read builds its own call scope, as a
 * subscription outlives the request that opened it.
 */
export function createLiveWallets(options: LiveWalletsOptions) {
  const { api, backend } = options;
  const polls = new Map<string, Poll>();
  const perCaller = new Map<string, number>();
  let total = 0;

  function schedule(poll: Poll, delayMs: number): void {
    poll.timer = setTimeout(() => void tick(poll), delayMs);
  }

  async function tick(poll: Poll): Promise<void> {
    let delay = options.pollIntervalMs;
    // A replica's first read answers its subscribers at once; later reads need the lease.
    if (poll.latest === undefined || (await backend.lease.hold(poll.key, options.pollIntervalMs * 3))) {
      delay = await read(poll);
    }
    if (!poll.stopped.aborted) schedule(poll, delay);
  }

  // Returns the delay to the next read.
  async function read(poll: Poll): Promise<number> {
    // The shared deadline clock, released after the read: no timer per poll outlives its read.
    const deadline = new Deadline(options.readDeadlineMs, poll.stopped);
    try {
      const wallet = await api.get({ caller: poll.caller, headers: { 'x-request-id': poll.requestId }, cancellation: deadline }, poll.walletId);
      if (deadline.aborted) return options.pollIntervalMs;
      // Published on every read, changed or not: subscribers drop repeats, and one that joined
      // on another replica while a message was in flight catches up at the next read.
      backend.pubsub.publish('walletChanged', poll.key, { wallet });
    } catch (error) {
      if (poll.stopped.aborted) return options.pollIntervalMs;
      if (error instanceof ClumioError && terminalCodes.has(error.code)) {
        backend.pubsub.publish('walletChanged', poll.key, errorEvent(error));
        stop(poll);
      } else if (error instanceof ClumioError && error.details.retryAfterSeconds !== undefined) {
        return Math.min(Math.max(error.details.retryAfterSeconds * 1000, options.pollIntervalMs), maxRateLimitWaitMs);
      }
      // Anything else (timeouts, 5xx, an unreachable Clumio) is tried again next interval.
    } finally {
      deadline.release();
    }
    return options.pollIntervalMs;
  }

  function stop(poll: Poll): void {
    // Once: the poll is stopped only here, and a second lease release could free a newer poll's lease.
    if (poll.stopped.aborted) return;
    if (polls.get(poll.key) === poll) polls.delete(poll.key);
    poll.stopped.abort(new DOMException('This operation was aborted', 'AbortError'));
    clearTimeout(poll.timer);
    void backend.lease.release(poll.key);
  }

  // The refusal when `callerKey` may not open one more subscription, else undefined.
  function refusal(callerKey: string): GraphQLError | undefined {
    if ((perCaller.get(callerKey) ?? 0) >= options.maxPerCaller) {
      return gatewayError('SUBSCRIPTION_LIMIT_EXCEEDED', `This caller already has ${options.maxPerCaller} open subscriptions, the most allowed: close one first.`);
    }
    if (total >= options.maxTotal) return gatewayError('SUBSCRIPTION_LIMIT_EXCEEDED', 'The gateway holds as many subscriptions as it allows: try again later.');
    return undefined;
  }

  function acquire(callerKey: string): void {
    perCaller.set(callerKey, (perCaller.get(callerKey) ?? 0) + 1);
    total++;
  }

  function release(callerKey: string): void {
    const count = (perCaller.get(callerKey) ?? 1) - 1;
    if (count === 0) perCaller.delete(callerKey);
    else perCaller.set(callerKey, count);
    total--;
  }

  // Starts (or joins) the poll of a watch whose response streams; its place is already taken.
  function open(caller: CallerCredentials, callerKey: string, walletId: string, requestId: string, signal: AbortSignal | undefined): Subscriber {
    const key = digest(caller.authorization, caller.organizationalUnit ?? '', walletId);
    let poll = polls.get(key);
    const isNew = poll === undefined;
    poll ??= {
      key,
      caller,
      walletId,
      requestId,
      subscribers: new Set(),
      latest: undefined,
      stopped: new Departure(),
      timer: undefined,
    };
    polls.set(key, poll);
    const owner = poll;

    // Listening starts before the first read, so that read's result is heard.
    const subscriber: Subscriber = new Subscriber(
      backend.pubsub.subscribe('walletChanged', key),
      () => {
        release(callerKey);
        owner.subscribers.delete(subscriber);
        if (owner.subscribers.size === 0) stop(owner);
      },
      (json, event) => {
        owner.latest = { json, event };
      },
    );
    owner.subscribers.add(subscriber);
    if (owner.latest) subscriber.offer(owner.latest.event, owner.latest.json);
    if (isNew) schedule(owner, 0);
    if (signal?.aborted) void subscriber.return();
    else signal?.addEventListener('abort', () => void subscriber.return(), { once: true });
    return subscriber;
  }

  /**
   * Completes every open stream and stops every poll, as a shutdown begins: open streams would
   * otherwise hold the drain until its grace period ends. Clients subscribe again (elsewhere)
   * and get the current state first.
   */
  async function endSubscriptions(): Promise<void> {
    for (const poll of [...polls.values()]) {
      for (const subscriber of [...poll.subscribers]) await subscriber.return();
      stop(poll);
    }
  }

  return {
    /**
     * Watches one wallet for one caller (credentials and id already validated): the stream
     * holds the wallet now, then each change, and ends with an error event if watching can't
     * go on. Throws SUBSCRIPTION_LIMIT_EXCEEDED past the bounds (per token, and per replica).
     * Nothing is held until the stream is first read: a response that never streams (a 406
     * for an Accept without text/event-stream) takes no place and starts no poll. Once read,
     * the stream ends when its consumer returns it or `signal` aborts.
     */
    watch(caller: CallerCredentials, walletId: string, requestId: string, signal?: AbortSignal): AsyncIterableIterator<WatchEvent> {
      // Counted per token: organizational units are the caller's to pick, as many as it likes.
      const callerKey = callerKeyOf(caller.authorization);
      const refused = refusal(callerKey);
      if (refused) throw refused;
      return new LazyWatch(() => {
        // Another subscription may have taken the last place since the check above.
        const late = refusal(callerKey);
        if (late) return late;
        acquire(callerKey);
        try {
          return open(caller, callerKey, walletId, requestId, signal);
        } catch (error) {
          // A watch that could not start gives its place back.
          release(callerKey);
          throw error;
        }
      });
    },

    /** Open subscriptions on this replica, and wallets being polled. */
    stats() {
      return { subscriptions: total, polls: polls.size };
    },

    endSubscriptions,

    /** Ends every subscription and poll, and lets go of Redis. */
    async close(): Promise<void> {
      await endSubscriptions();
      await backend.close();
    },
  };
}

export type LiveWallets = ReturnType<typeof createLiveWallets>;
