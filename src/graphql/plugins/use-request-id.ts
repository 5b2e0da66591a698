import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

// A caller's id is kept only if it is short and plain: it goes into logs and upstream headers.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** The request's id: the caller's `x-request-id` when well-formed, else a new UUID. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given !== null && requestIdPattern.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/** Returns the request id in the `x-request-id` response header. */
export function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
