import type { Plugin } from 'graphql-yoga';

/**
 * A 413 is sent before the oversized body has been read, so the rest of it is still on the
 * connection: close it after the answer rather than leave it half-read for the next request.
 */
export function useCloseOnTooLarge(): Plugin {
  return {
    onResponse({ response }) {
      if (response.status === 413) response.headers.set('connection', 'close');
    },
  };
}
