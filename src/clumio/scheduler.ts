import type { AbortListener } from '../request/abandonment.js';
import type { Cancellation } from '../request/deadline.js';
import { abortedError, type ClumioError } from './errors.js';

export interface SchedulerOptions {
  /** Clumio calls in flight at once, all callers together. */
  maxInFlight: number;
  /** Clumio calls in flight at once for one caller (one token), so a flood leaves room for others. */
  maxInFlightPerCaller: number;
}

export const defaultSchedulerOptions: SchedulerOptions = { maxInFlight: 64, maxInFlightPerCaller: 32 };

/** Who waits for a slot: told once, either that the slot is now theirs or why there is none. */
export interface SlotWaiter {
  /** The slot is taken for the waiter; it gives it back with `give`. */
  granted(): void;
  /** UPSTREAM_TIMEOUT or CANCELLED, nothing sent: the operation ended while the call waited. */
  refused(error: ClumioError): void;
}

export interface Scheduler {
  /**
   * Takes a slot for `caller` (its Authorization header: see Caller in caller.ts) now (true), or
   * none when the call must wait (or `cancellation` has aborted): then `wait`. Most calls find
   * room, and take it without an allocation. A caller is kept only while it holds or waits for
   * slots.
   */
  tryTake(caller: string, cancellation?: Cancellation): boolean;
  /**
   * Queues `waiter` for a slot of `caller`, served round-robin across callers; it is granted
   * on a later turn of the event loop, never within this call or a `give`. A `cancellation` that
   * has already aborted refuses it at once, within this call.
   */
  wait(caller: string, waiter: SlotWaiter, cancellation?: Cancellation): void;
  /** Gives back a slot of `caller` that was taken or granted: exactly once per slot (a caller holding none is ignored). */
  give(caller: string): void;
  readonly inFlight: number;
  readonly queued: number;
}

/**
 * One caller's waiting calls, first in first out. Taken from the front by an index rather than by
 * `shift`, which moves the rest of the array with every grant (hundreds wait at once under a burst
 * of `_entities`); the front's used part is dropped once it is most of the array.
 */
class CallerQueue {
  private items: Queued[] = [];
  private head = 0;

  constructor(readonly key: string) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(entry: Queued): void {
    this.items.push(entry);
  }

  /** The first waiting call; the queue is not empty. */
  shift(): Queued {
    const entry = this.items[this.head]!;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Takes `entry` out wherever it waits: false when it is not here. */
  remove(entry: Queued): boolean {
    const at = this.items.indexOf(entry, this.head);
    if (at === -1) return false;
    this.items.splice(at, 1);
    return true;
  }
}

/** A waiting call: one object, in its caller's queue and listening to its operation's end. */
class Queued implements AbortListener {
  constructor(
    readonly key: string,
    readonly waiter: SlotWaiter,
    readonly cancellation: Cancellation | undefined,
    private readonly leave: (entry: Queued) => boolean,
  ) {}

  onAbort(reason: unknown): void {
    if (this.leave(this)) this.waiter.refused(abortedError(reason, 'NOT_SENT'));
  }
}

/**
 * Bounds the calls in flight towards Clumio, so a burst queues here instead of becoming a storm
 * of 429s, and serves the queue round-robin across callers: a caller with a thousand calls
 * waiting gets one slot, then the next caller gets one, so nobody's flood starves anyone else.
 * Waiting counts against the operation's deadline: its cancellation ends the wait.
 * One operation's share is bounded before its calls get here (src/graphql/semaphore.ts says why
 * that is a second limiter, in the GraphQL layer). Slots are counts, not objects: a call that
 * finds room costs no allocation here, and one that waits costs one object.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  let inFlight = 0;
  let queued = 0;
  const perCaller = new Map<string, number>();
  // Insertion order is the round-robin ring: a caller that was just served moves to the back.
  const queues = new Map<string, CallerQueue>();

  // Whether a call of `key` may go now. Outside pump, never true while `key` has calls waiting:
  // room only grows on a give, which pumps, and pump serves them as soon as it is. So a call
  // that finds room jumps no queue.
  const hasRoom = (key: string) => inFlight < options.maxInFlight && (perCaller.get(key) ?? 0) < options.maxInFlightPerCaller;

  function take(key: string): void {
    inFlight++;
    perCaller.set(key, (perCaller.get(key) ?? 0) + 1);
  }

  // Takes a waiting call out of its queue (its operation ended): false when it was no longer there.
  function leave(entry: Queued): boolean {
    const queue = queues.get(entry.key);
    if (queue === undefined || !queue.remove(entry)) return false;
    if (queue.size === 0) queues.delete(entry.key);
    queued--;
    return true;
  }

  // Waiters granted a slot this turn of the event loop, told together once the turn's events are
  // handled: the calls they make go out in one burst rather than one per answer that freed a slot.
  // Never within the give that freed the slot: a grant told at once could start an exchange that
  // fails at once and gives the slot back, and so on down the queue, each a frame deeper.
  let granted: SlotWaiter[] = [];
  const tellAll = () => {
    const waiters = granted;
    granted = [];
    for (const waiter of waiters) {
      // Each is told whatever another's throw (a fault of ours, raised on its own): a waiter left
      // untold would hold its slot for good.
      try {
        waiter.granted();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  function grant(waiter: SlotWaiter): void {
    if (granted.push(waiter) === 1) setImmediate(tellAll);
  }

  // Serves waiting callers in ring order while slots are free.
  function pump(): void {
    while (inFlight < options.maxInFlight && queued > 0) {
      let next: CallerQueue | undefined;
      for (const queue of queues.values()) {
        if (hasRoom(queue.key)) {
          next = queue;
          break;
        }
      }
      if (next === undefined) return;
      const entry = next.shift();
      // Served: out of the ring when its queue is empty, else to its back (when others wait).
      if (next.size === 0) queues.delete(next.key);
      else if (queues.size > 1) {
        queues.delete(next.key);
        queues.set(next.key, next);
      }
      queued--;
      entry.cancellation?.delete(entry);
      take(next.key);
      grant(entry.waiter);
    }
  }

  return {
    tryTake(key, cancellation) {
      if (cancellation?.aborted || !hasRoom(key)) return false;
      take(key);
      return true;
    },
    wait(key, waiter, cancellation) {
      if (cancellation?.aborted) {
        waiter.refused(abortedError(cancellation.reason, 'NOT_SENT'));
        return;
      }
      const entry = new Queued(key, waiter, cancellation, leave);
      cancellation?.add(entry);
      let queue = queues.get(key);
      if (queue === undefined) queues.set(key, (queue = new CallerQueue(key)));
      queue.push(entry);
      queued++;
      pump();
    },
    give(key) {
      const held = perCaller.get(key);
      if (held === undefined) return;
      inFlight--;
      const left = held - 1;
      if (left === 0) perCaller.delete(key);
      else perCaller.set(key, left);
      pump();
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return queued;
    },
  };
}
