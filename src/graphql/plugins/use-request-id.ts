import type { Plugin } from 'graphql-yoga';
import { requestIdOf } from '../../request/request-id.js';

/** Returns the request id in the `x-request-id` response header. */
export function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
