/** `error` itself when it is an Error, else an Error whose message is its text. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A rejection with `error` (wrapped when it is not an Error), for a step that threw as it started. */
export function rejected(error: unknown): Promise<never> {
  return Promise.reject(asError(error));
}

/** A reaction that hands its value on as it is (a reader or a batch entry that needs no change). */
export function itself<T>(value: T): T {
  return value;
}
