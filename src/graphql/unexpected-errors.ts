import { GraphQLError } from 'graphql';
import { originalOf, unexpectedErrorCode } from './mask-error.js';

type MaskError = (error: unknown, message?: string, isDev?: boolean) => Error;

/**
 * Remembers which errors callers saw as "Unexpected error." and what they were, so the
 * operation's log line can report the real error (with its stack and the request id) once.
 * The masking function itself has no request in hand; the operation log does.
 */
export function createUnexpectedErrors(unexpectedCode = unexpectedErrorCode) {
  const originals = new WeakMap<object, unknown>();
  return {
    /** Wraps Yoga's maskError: same result, plus the original of each masked unexpected error. */
    wrap(mask: (error: unknown) => Error): MaskError {
      return (error) => {
        const masked = mask(error);
        if (masked !== error && masked instanceof GraphQLError && masked.extensions.code === unexpectedCode) {
          originals.set(masked, originalOf(error));
        }
        return masked;
      };
    },
    /** The original behind a masked error, once: a second call answers undefined. */
    take(masked: object): unknown {
      const original = originals.get(masked);
      if (original !== undefined) originals.delete(masked);
      return original;
    },
  };
}

export type UnexpectedErrors = ReturnType<typeof createUnexpectedErrors>;
