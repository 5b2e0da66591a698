/**
 * What tells that a caller left before its work was done: something that calls each listener
 * added once with the reason. The HTTP layer's request view is one (it needs no AbortSignal);
 * an AbortSignal is another, through `signalAbandonment`.
 */
export interface Abandonment {
  add(listener: (reason: unknown) => void): void;
  delete(listener: (reason: unknown) => void): void;
}

/**
 * Where a request object carries a cheaper way to learn that its caller left than its
 * AbortSignal (set by the HTTP layer's request view, read by abandonmentOf).
 */
export const abandonmentKey = Symbol('abandonment');

/** An AbortSignal as an Abandonment: a listener added after the abort is called at once. */
class SignalAbandonment implements Abandonment {
  readonly #signal: AbortSignal;
  readonly #handlers = new Map<(reason: unknown) => void, () => void>();

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  add(listener: (reason: unknown) => void): void {
    const signal = this.#signal;
    if (signal.aborted) return listener(signal.reason);
    const handler = () => listener(signal.reason);
    this.#handlers.set(listener, handler);
    signal.addEventListener('abort', handler, { once: true });
  }

  delete(listener: (reason: unknown) => void): void {
    const handler = this.#handlers.get(listener);
    if (handler === undefined) return;
    this.#handlers.delete(listener);
    this.#signal.removeEventListener('abort', handler);
  }
}

export function signalAbandonment(signal: AbortSignal): Abandonment {
  return new SignalAbandonment(signal);
}

/** An Abandonment its owner triggers: `leave` calls every listener once; later ones are called at once. */
export class Departure implements Abandonment {
  #reason: unknown;
  #left = false;
  readonly #listeners = new Set<(reason: unknown) => void>();

  add(listener: (reason: unknown) => void): void {
    if (this.#left) listener(this.#reason);
    else this.#listeners.add(listener);
  }

  delete(listener: (reason: unknown) => void): void {
    this.#listeners.delete(listener);
  }

  leave(reason: unknown): void {
    if (this.#left) return;
    this.#left = true;
    this.#reason = reason;
    for (const listener of this.#listeners) listener(reason);
    this.#listeners.clear();
  }
}

/**
 * What says that the caller of `request` left: the request view's own (no AbortSignal is made
 * unless something reads `request.signal`); else the request's signal.
 */
export function abandonmentOf(request: Request): Abandonment {
  return (request as { [abandonmentKey]?: Abandonment })[abandonmentKey] ?? signalAbandonment(request.signal);
}
