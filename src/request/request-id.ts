import { randomUUID } from 'node:crypto';

// A caller's id is kept only if it is short and plain: it goes into logs and upstream headers.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Where a request carries its id once read: a property of the request itself, as its
 * abandonment is (src/request/abandonment.ts). The gateway's own request view declares it; a
 * Fetch Request from Yoga's door gets it on first read. A WeakMap did the same at about 2 µs per
 * request with 256 in flight: each request took an identity hash and an entry in an ephemeron
 * table, read three times per operation.
 */
export const requestIdKey = Symbol('requestId');

/** The request's id: the caller's `x-request-id` when well-formed, else a new UUID. */
export function requestIdOf(request: Request): string {
  const held = request as Request & { [requestIdKey]?: string | undefined };
  let id = held[requestIdKey];
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given !== null && requestIdPattern.test(given) ? given : randomUUID();
    held[requestIdKey] = id;
  }
  return id;
}
