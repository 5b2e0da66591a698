import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// Yoga's multipart parser reports a body cut off at MAX_REQUEST_BODY_BYTES in its message only
// (test/bad-input.test.ts sends one, so a change of wording is seen).
const tooLarge = /Request body too large$/;

function requestError(message: string, status: number, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { http: { status }, code } });
}

/**
 * What a request's parameters could not be read for, as the caller's fault with a code: Yoga's
 * parsers leave some of it uncoded or unexpected. A GET's or a form's `variables` or `extensions`
 * that is not JSON (a SyntaxError, which would be masked as an unexpected error), a multipart
 * body missing a field (no code, HTTP 200), or cut off at the size limit (400 where a JSON body
 * gets 413). A coded refusal is left as it is: Yoga answers a body that is not JSON with 400 by
 * the parser's error it carries (masking keeps that error's name and drops its text, which quotes
 * the body: mask-error.ts).
 */
function asRequestError(error: unknown): unknown {
  if (error instanceof SyntaxError) return requestError('The `variables` and `extensions` parameters must be JSON when given.', 400, 'BAD_REQUEST');
  if (!(error instanceof GraphQLError)) return error;
  if (tooLarge.test(error.message)) return requestError('Request body too large', 413, 'REQUEST_ENTITY_TOO_LARGE');
  return typeof error.extensions.code === 'string' ? error : requestError(error.message, 400, 'BAD_REQUEST');
}

/** Wraps whichever request parser Yoga picked so that its failures come out as asRequestError says. */
export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser == null) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          throw asRequestError(error);
        }
      });
    },
  };
}
