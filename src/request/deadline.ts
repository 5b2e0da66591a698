import { signalAbandonment, type Abandonment } from './abandonment.js';

// Deadlines of operation signals, so a retry can tell whether its wait still fits. A WeakMap
// keeps the signal the only handle: nothing here outlives the operation.
const deadlines = new WeakMap<AbortSignal, number>();

export interface Deadline {
  /** Aborts when the parent does (the caller left) or when the time is up. */
  readonly signal: AbortSignal;
  /** Stops the clock once the work is done, so no timer or listener outlives it. */
  readonly release: () => void;
}

// One coarse clock for every deadline: a per-deadline setTimeout costs more than the rest of
// its bookkeeping at a few thousand calls per second. Deadlines fire up to one tick late.
const tickMs = 50;
const pending = new Set<{ at: number; fire(): void }>();
let clock: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = performance.now();
  for (const entry of pending) {
    if (entry.at <= now) {
      pending.delete(entry);
      entry.fire();
    }
  }
  if (pending.size === 0 && clock !== undefined) {
    clearInterval(clock);
    clock = undefined;
  }
}

/** Runs `fire` once `ms` have passed, up to one tick late, unless cancelled first. */
export function afterMs(ms: number, fire: () => void): () => void {
  const entry = { at: performance.now() + ms, fire };
  pending.add(entry);
  if (clock === undefined) {
    clock = setInterval(sweep, Math.min(tickMs, Math.max(1, ms)));
    clock.unref();
  }
  return () => void pending.delete(entry);
}

/** The abort reason of work whose time ran out (what tells a timeout from a caller leaving). */
export function timedOut(): DOMException {
  return new DOMException('The operation timed out.', 'TimeoutError');
}

/**
 * A deadline of `ms` tied to `parent`. Unlike AbortSignal.timeout() + AbortSignal.any(),
 * whose timers and links stay alive for the whole timeout after the work is done (tens of
 * thousands at a few thousand requests per second), this one is released when the work ends.
 */
export function createDeadline(ms: number, parent?: Abandonment | AbortSignal): Deadline {
  const controller = new AbortController();
  const { signal } = controller;
  deadlines.set(signal, performance.now() + ms);
  const cancel = afterMs(ms, () => controller.abort(timedOut()));
  // Any AbortSignal, Node's or a Fetch ponyfill's (Yoga's requests may carry either).
  const source = parent !== undefined && 'addEventListener' in parent ? signalAbandonment(parent) : parent;
  const onAbandoned = (reason: unknown) => controller.abort(reason);
  source?.add(onAbandoned);
  return {
    signal,
    release() {
      cancel();
      source?.delete(onAbandoned);
    },
  };
}

/** Milliseconds left before `signal` aborts: 0 once aborted, Infinity when it has no known deadline. */
export function remainingMs(signal: AbortSignal | undefined): number {
  if (signal === undefined) return Infinity;
  if (signal.aborted) return 0;
  const at = deadlines.get(signal);
  return at === undefined ? Infinity : Math.max(0, at - performance.now());
}
