// Deadlines of operation signals, so a retry can tell whether its wait still fits. A WeakMap
// keeps the signal the only handle: nothing here outlives the operation.
const deadlines = new WeakMap<AbortSignal, number>();

/**
 * A signal that aborts when `parent` does (the caller left) or after `ms` (the operation's
 * deadline), whose deadline stays readable with remainingMs().
 */
export function deadlineSignal(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
  deadlines.set(signal, performance.now() + ms);
  return signal;
}

/** Milliseconds left before `signal` aborts: 0 once aborted, Infinity when it has no known deadline. */
export function remainingMs(signal: AbortSignal | undefined): number {
  if (signal === undefined) return Infinity;
  if (signal.aborted) return 0;
  const at = deadlines.get(signal);
  return at === undefined ? Infinity : Math.max(0, at - performance.now());
}
