/** `error` itself when it is an Error, else an Error whose message is its text. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
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
    return Promise.reject(asError(error));
  }
}
