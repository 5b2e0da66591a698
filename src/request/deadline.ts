import { Departure, type Abandonment, type AbortListener } from './abandonment.js';

/** Work that ends by itself at `expiresAt` (performance.now() ms) unless stopped first. */
export interface Expiring {
  readonly expiresAt: number;
  expire(): void;
  /** The clock's own: where it holds this entry, -1 when it does not (start at -1). */
  clockSlot: number;
}

// One coarse clock for every deadline: a per-deadline setTimeout costs more than the rest of
// its bookkeeping at a few thousand calls per second. Deadlines fire up to one tick late.
// Entries sit in an array, each knowing its slot, and leave it by swapping with the last: no
// allocation per entry. (A Set, long-lived and so in the old generation, reallocated its table
// as entries came and went, and each table was promoted before it died.)
const tickMs = 50;
const pending: Expiring[] = [];
let clock: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = performance.now();
  let due: Expiring[] | undefined;
  for (const entry of pending) if (entry.expiresAt <= now) (due ??= []).push(entry);
  // One entry's expiring may stop another's clock (that one is then not told), and it moves
  // entries in the array: the due ones are listed first, then taken out and told one by one.
  if (due) {
    for (const entry of due) {
      if (entry.clockSlot === -1) continue;
      stopClock(entry);
      entry.expire();
    }
  }
  if (pending.length === 0 && clock !== undefined) {
    clearInterval(clock);
    clock = undefined;
  }
}

/** Calls `entry.expire()` once its time has come, up to one tick late, unless `stopClock(entry)` came first. */
export function startClock(entry: Expiring): void {
  if (entry.clockSlot !== -1) return;
  entry.clockSlot = pending.length;
  pending.push(entry);
  if (clock === undefined) {
    clock = setInterval(sweep, Math.min(tickMs, Math.max(1, entry.expiresAt - performance.now())));
    clock.unref();
  }
}

export function stopClock(entry: Expiring): void {
  const slot = entry.clockSlot;
  if (slot === -1) return;
  const last = pending.pop()!;
  if (last !== entry) {
    pending[slot] = last;
    last.clockSlot = slot;
  }
  entry.clockSlot = -1;
}

/** The abort reason of work whose time ran out (what tells a timeout from a caller leaving). */
export function timedOut(): DOMException {
  return new DOMException('The operation timed out.', 'TimeoutError');
}

/**
 * An operation's end before its work is done: its caller left, or its time ran out. What its
 * upstream calls listen to, in place of an AbortSignal: an AbortSignal is an EventTarget with a
 * map of listeners, and with every upstream call adding and removing a listener, it cost about
 * 6 µs of CPU per operation (CPU profile of wallet(id) at 32 connections), some 5% of the whole.
 */
export interface Cancellation extends Abandonment {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** When it aborts by itself (performance.now() ms). */
  readonly expiresAt: number;
}

/**
 * A deadline of `ms` tied to `parent` (the caller leaving). Unlike AbortSignal.timeout() +
 * AbortSignal.any(), whose timers and links stay alive for the whole timeout after the work is
 * done, this one is released when the work ends.
 */
export class Deadline extends Departure implements Cancellation, Expiring, AbortListener {
  readonly expiresAt: number;
  clockSlot = -1;
  readonly #parent: Abandonment | undefined;

  constructor(ms: number, parent?: Abandonment) {
    super();
    this.expiresAt = performance.now() + ms;
    startClock(this);
    this.#parent = parent;
    parent?.add(this);
  }

  /** The caller left. */
  onAbort(reason: unknown): void {
    this.abort(reason);
  }

  /** The time is up. */
  expire(): void {
    this.abort(timedOut());
  }

  override abort(reason: unknown): void {
    if (this.aborted) return;
    this.release();
    super.abort(reason);
  }

  /** Stops the clock and the listening once the work is done, so nothing outlives it. */
  release(): void {
    stopClock(this);
    this.#parent?.delete(this);
  }
}

/** Milliseconds left before `cancellation` aborts: 0 once aborted, Infinity when it has no deadline. */
export function remainingMs(cancellation: Cancellation | undefined): number {
  if (cancellation === undefined) return Infinity;
  if (cancellation.aborted) return 0;
  return Math.max(0, cancellation.expiresAt - performance.now());
}
