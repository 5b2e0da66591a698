/**
 * What says that the work was abandoned (the caller left): an AbortSignal, or a subscription
 * that calls `abort` with the reason once, and returns how to unsubscribe.
 */
export type Abandonment = AbortSignal | ((abort: (reason: unknown) => void) => () => void);

/**
 * Where a request object carries a cheaper way to learn that its caller left than its
 * AbortSignal (set by the HTTP layer's request view, read by abandonmentOf).
 */
export const abandonmentKey = Symbol('abandonment');

/**
 * What says that the caller of `request` left: the subscription under abandonmentKey
 * (no AbortSignal is made unless something reads `request.signal`); else the request's signal.
 */
export function abandonmentOf(request: Request): Abandonment {
  return (request as { [abandonmentKey]?: Abandonment })[abandonmentKey] ?? request.signal;
}
