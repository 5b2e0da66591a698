/** Told once, with the reason, that the work it belongs to is over (the caller left, or time ran out). */
export interface AbortListener {
  onAbort(reason: unknown): void;
}

/**
 * What tells that a caller left before its work was done: something that tells each listener
 * added, once. A listener added after the fact is told at once. The HTTP layer's request view
 * is one (it needs no AbortSignal); an AbortSignal is another, through `signalAbandonment`.
 * Listeners are objects, not closures: an upstream exchange listens as itself.
 */
export interface Abandonment {
  /** Adds a listener, once (each listener is added at most once before it is deleted). */
  add(listener: AbortListener): void;
  delete(listener: AbortListener): void;
}

/**
 * Where a request object carries a cheaper way to learn that its caller left than its
 * AbortSignal (set by the HTTP layer's request view, read by abandonmentOf).
 */
export const abandonmentKey = Symbol('abandonment');

/** An Abandonment its owner triggers: `abort` tells every listener once. */
export class Departure implements Abandonment {
  #reason: unknown;
  #left = false;
  // A few at a time (an operation's calls in flight): an array, which adding and removing
  // leaves as it is, where a Set reallocates its table. Made holding the first listener, so
  // that it has room for one (most have no more): an empty array grows room for 17 on its
  // first push, and each request holds two of them while it waits on Clumio.
  #listeners: AbortListener[] | undefined;

  get aborted(): boolean {
    return this.#left;
  }

  get reason(): unknown {
    return this.#reason;
  }

  add(listener: AbortListener): void {
    if (this.#left) listener.onAbort(this.#reason);
    else if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
  }

  delete(listener: AbortListener): void {
    const listeners = this.#listeners;
    const at = listeners === undefined ? -1 : listeners.lastIndexOf(listener);
    if (at === -1) return;
    const last = listeners!.pop()!;
    if (at < listeners!.length) listeners![at] = last;
  }

  abort(reason: unknown): void {
    if (this.#left) return;
    this.#left = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener.onAbort(reason);
  }
}

/** An AbortSignal (Node's or a Fetch ponyfill's) as an Abandonment. */
class SignalAbandonment implements Abandonment {
  readonly #signal: AbortSignal;
  readonly #handlers = new Map<AbortListener, () => void>();

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  add(listener: AbortListener): void {
    const signal = this.#signal;
    if (signal.aborted) return listener.onAbort(signal.reason);
    const handler = () => listener.onAbort(signal.reason);
    this.#handlers.set(listener, handler);
    signal.addEventListener('abort', handler, { once: true });
  }

  delete(listener: AbortListener): void {
    const handler = this.#handlers.get(listener);
    if (handler === undefined) return;
    this.#handlers.delete(listener);
    this.#signal.removeEventListener('abort', handler);
  }
}

export function signalAbandonment(signal: AbortSignal): Abandonment {
  return new SignalAbandonment(signal);
}

/**
 * What says that the caller of `request` left: the request view's own (no AbortSignal is made
 * unless something reads `request.signal`); else the request's signal.
 */
export function abandonmentOf(request: Request): Abandonment {
  return (request as { [abandonmentKey]?: Abandonment })[abandonmentKey] ?? signalAbandonment(request.signal);
}
