import { hash } from 'node:crypto';
import type { AbortListener } from '../request/abandonment.js';
import type { Cancellation } from '../request/deadline.js';
import { abortedError } from './errors.js';

export interface SchedulerOptions {
  /** Clumio calls in flight at once, all callers together. */
  maxInFlight: number;
  /** Clumio calls in flight at once for one caller (one token), so a flood leaves room for others. */
  maxInFlightPerCaller: number;
}

export const defaultSchedulerOptions: SchedulerOptions = { maxInFlight: 64, maxInFlightPerCaller: 32 };

interface Waiter {
  grant(): void;
}

/** Gives a slot back; call exactly once. */
export type Release = () => void;

export interface Scheduler {
  /**
   * A slot for `callerKey` now, or undefined when the call must wait (or `cancellation` has
   * aborted): then `acquire`. Most calls find room, and a promise for a slot already free cost
   * each of them a turn of the microtask queue and a promise adopted inside another.
   */
  tryAcquire(callerKey: string, cancellation?: Cancellation): Release | undefined;
  /** Waits for a slot for `callerKey`; rejects with UPSTREAM_TIMEOUT or CANCELLED (nothing sent) if `cancellation` aborts first. */
  acquire(callerKey: string, cancellation?: Cancellation): Promise<Release>;
  readonly inFlight: number;
  readonly queued: number;
}

/**
 * Bounds the calls in flight towards Clumio, so a burst queues here instead of becoming a storm
 * of 429s, and serves the queue round-robin across callers: a caller with a thousand calls
 * waiting gets one slot, then the next caller gets one, so nobody's flood starves anyone else.
 * Waiting counts against the operation's deadline: its cancellation ends the wait.
 * One operation's share is bounded before its calls get here (src/graphql/semaphore.ts says why
 * that is a second limiter, in the GraphQL layer).
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  let inFlight = 0;
  let queued = 0;
  const perCaller = new Map<string, number>();
  // Insertion order is the round-robin ring: a caller that was just served moves to the back.
  const queues = new Map<string, Waiter[]>();

  // Whether a call of `key` may go now. Outside pump, never true while `key` has calls waiting:
  // room only grows on a release, which pumps, and pump serves them as soon as it is. So a call
  // that finds room jumps no queue.
  const hasRoom = (key: string) => inFlight < options.maxInFlight && (perCaller.get(key) ?? 0) < options.maxInFlightPerCaller;

  function take(key: string): Release {
    inFlight++;
    perCaller.set(key, (perCaller.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      const left = perCaller.get(key)! - 1;
      if (left === 0) perCaller.delete(key);
      else perCaller.set(key, left);
      pump();
    };
  }

  // Serves waiting callers in ring order while slots are free.
  function pump(): void {
    while (inFlight < options.maxInFlight && queued > 0) {
      let served = false;
      for (const [key, waiters] of queues) {
        if (!hasRoom(key)) continue;
        const waiter = waiters.shift()!;
        queues.delete(key);
        if (waiters.length > 0) queues.set(key, waiters);
        queued--;
        waiter.grant();
        served = true;
        break;
      }
      if (!served) return;
    }
  }

  function tryAcquire(key: string, cancellation?: Cancellation): Release | undefined {
    return cancellation?.aborted || !hasRoom(key) ? undefined : take(key);
  }

  return {
    tryAcquire,
    acquire(key, cancellation) {
      if (cancellation?.aborted) return Promise.reject(abortedError(cancellation.reason, 'NOT_SENT'));
      const now = tryAcquire(key, cancellation);
      if (now !== undefined) return Promise.resolve(now);
      return new Promise<Release>((resolve, reject) => {
        const waiter: Waiter & AbortListener = {
          grant() {
            cancellation?.delete(waiter);
            resolve(take(key));
          },
          onAbort(reason) {
            const waiters = queues.get(key);
            const index = waiters?.indexOf(waiter) ?? -1;
            if (index === -1) return;
            waiters!.splice(index, 1);
            if (waiters!.length === 0) queues.delete(key);
            queued--;
            reject(abortedError(reason, 'NOT_SENT'));
          },
        };
        cancellation?.add(waiter);
        const waiters = queues.get(key);
        if (waiters) waiters.push(waiter);
        else queues.set(key, [waiter]);
        queued++;
        pump();
      });
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return queued;
    },
  };
}

/** Who a call is queued for: a short hash of the caller's Authorization header, never the token itself. */
export function callerKey(authorization: string): string {
  // crypto.hash (Node 20.12+): one call, no Hash object; a third of createHash's cost per request.
  return hash('sha256', authorization, 'base64url').slice(0, 22);
}
