import { GraphQLError } from 'graphql';
import { ClumioError } from '../clumio/errors.js';

export const unexpectedErrorMessage = 'Unexpected error.';
export const unexpectedErrorCode = 'INTERNAL_SERVER_ERROR';

// By name, not instanceof: a GraphQLError may come from another copy of graphql-js
// (a CommonJS dependency next to our ES modules).
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** What was thrown behind a GraphQL error (graphql-js wraps resolver errors), or the error itself. */
export function originalOf(error: unknown): unknown {
  return isGraphQLError(error) ? (error.originalError ?? error) : error;
}

function withExtensions(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}

/**
 * The one place an error becomes what a caller sees. Upstream failures keep their stable
 * code and safe message (plus when to retry, or whether a write may have happened);
 * deliberate GraphQL errors pass as they are; anything else is masked as
 * "Unexpected error." with code INTERNAL_SERVER_ERROR, never leaking a message, URL, body,
 * token or stack.
 */
export function maskError(error: unknown): Error {
  const graphqlError = isGraphQLError(error) ? error : null;
  const original = originalOf(error);

  if (original instanceof ClumioError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original.details.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = original.details.retryAfterSeconds;
    if (original.details.outcome !== undefined) extensions.outcome = original.details.outcome;
    if (original.details.status !== undefined) extensions.upstreamStatus = original.details.status;
    return graphqlError ? withExtensions(graphqlError, original.message, extensions) : new GraphQLError(original.message, { extensions });
  }
  if (isGraphQLError(original)) {
    // Raised on purpose (by us, by graphql-js validation, or a Yoga/armor plugin). A wrapping
    // error keeps its own message and extensions: coercing a variable wraps the scalar's
    // complaint in one that names the variable ("Variable "$f" got invalid value …"), with the
    // HTTP status the executor gives request errors.
    if (graphqlError && original !== graphqlError) {
      const extensions = { ...original.extensions, ...graphqlError.extensions };
      return withExtensions(graphqlError, graphqlError.message, { ...extensions, code: extensions.code ?? 'BAD_USER_INPUT' });
    }
    // A request error without a code: one of Yoga's about the request's shape (a body that is
    // not JSON, no query: HTTP status per the GraphQL-over-HTTP spec) is BAD_REQUEST; one of the
    // executor's (a variable missing, or null where required) is the caller's input, coded as
    // the variable errors above.
    const http = original.extensions.http as { status?: unknown; spec?: unknown } | undefined;
    if (original.extensions.code === undefined && typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
      const code = http.status === 400 && http.spec !== true ? 'BAD_USER_INPUT' : 'BAD_REQUEST';
      return withExtensions(original, original.message, { ...original.extensions, code });
    }
    // Yoga puts the JSON parser's message, which quotes the raw request body, in
    // extensions.originalError; it answers 400 by that entry's presence, so keep it, minus the quote.
    const parserError = original.extensions.originalError as { name?: unknown } | undefined;
    if (parserError !== undefined) {
      const name = typeof parserError.name === 'string' ? parserError.name : 'Error';
      return withExtensions(original, original.message, { ...original.extensions, originalError: { name, message: 'The request body could not be parsed.' } });
    }
    return original;
  }
  if (graphqlError && graphqlError.originalError === undefined) return graphqlError;
  const extensions = { code: unexpectedErrorCode };
  return graphqlError ? withExtensions(graphqlError, unexpectedErrorMessage, extensions) : new GraphQLError(unexpectedErrorMessage, { extensions });
}

const suggestion = /Did you mean [^?]*\?/g;

/** The message without its "Did you mean …?" suggestions, which reveal the schema. */
export function hideSuggestions(message: string): string {
  return message.replace(suggestion, '[Suggestion hidden]').trim();
}

/**
 * The masking of a production gateway: as `mask`, and without suggestions. The document store
 * hides them in validation errors; variable coercion ("Field "x" is not defined by type …")
 * words its own, seen only here.
 */
export function withoutSuggestions(mask: (error: unknown) => Error): (error: unknown) => Error {
  return (error) => {
    const masked = mask(error);
    if (!isGraphQLError(masked) || !masked.message.includes('Did you mean')) return masked;
    return withExtensions(masked, hideSuggestions(masked.message), masked.extensions);
  };
}
