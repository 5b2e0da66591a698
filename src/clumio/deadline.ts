// Deadlines of operation signals, so a retry can tell whether its wait still fits. A WeakMap
// keeps the signal the only handle: nothing here outlives the operation.
const deadlines = new WeakMap<AbortSignal, number>();

export interface Deadline {
  /** Aborts when the parent does (the caller left) or when the time is up. */
  readonly signal: AbortSignal;
  /** Stops the clock once the work is done, so no timer or listener outlives it. */
  release(): void;
}

/**
 * A deadline of `ms` tied to `parent`. Unlike AbortSignal.timeout() + AbortSignal.any(),
 * whose timers and links stay alive for the whole timeout after the work is done (tens of
 * thousands at a few thousand requests per second), this one is released when the work ends.
 */
export function createDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const { signal } = controller;
  deadlines.set(signal, performance.now() + ms);
  const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), ms);
  let onParentAbort: (() => void) | undefined;
  if (parent?.aborted) {
    controller.abort(parent.reason);
  } else if (parent) {
    onParentAbort = () => controller.abort(parent.reason);
    parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal,
    release() {
      clearTimeout(timer);
      if (onParentAbort) parent!.removeEventListener('abort', onParentAbort);
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
