/** `error` itself when it is an Error, else an Error whose message is its text. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A rejection with `error` (wrapped when it is not an Error), for a step that threw as it started. */
export function rejected(error: unknown): Promise<never> {
  return Promise.reject(asError(error));
}

/**
 * What `task()` gives, always as a promise: a synchronous throw becomes a rejection, as in an
 * async function (a thrown non-Error is wrapped in one). For steps of the hot path written as
 * promise chains rather than async functions, which each keep a frame while suspended.
 */
export function started<T>(task: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(task());
  } catch (error) {
    return rejected(error);
  }
}
