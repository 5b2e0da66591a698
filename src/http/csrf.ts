import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * CSRF prevention: a browser sends a cross-site request without a CORS preflight only with a
 * "simple" content type (form, multipart, text/plain) and no custom header; such a request must
 * carry one of `headers` (any bearer-token request does: `authorization` is not simple).
 */
const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export const csrfHeaders = ['authorization', 'x-graphql-yoga-csrf', 'apollo-require-preflight'] as const;

/** Whether the request could only have been sent after a CORS preflight (or not by a browser). */
export function isPreflighted(contentType: string | null | undefined, has: (header: string) => boolean): boolean {
  const simple = contentType == null || simpleContentTypes.some((type) => contentType.toLowerCase().startsWith(type));
  return !simple || csrfHeaders.some(has);
}

export function csrfError(): GraphQLError {
  return new GraphQLError(
    `This request may be a cross-site request forgery: send it with content-type application/json, or with one of the headers ${csrfHeaders.join(', ')}.`,
    { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
  );
}

/** The check as a Yoga plugin, before Yoga parses the request. */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (!isPreflighted(request.headers.get('content-type'), (name) => request.headers.has(name))) throw csrfError();
    },
  };
}
