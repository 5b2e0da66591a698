import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { exampleTabs, firstTabQuery, type ExampleWalletIds } from './graphiql-examples.js';

const gzipAsync = promisify(gzip);

/** What GraphiQL opens with, beyond the example operations. */
export interface GraphiQLDefaults {
  /** Prefilled in the header editor, e.g. the embedded simulator's demo token in development. */
  headers?: Record<string, string>;
  /** The wallets the example tabs use, e.g. the embedded simulator's seeded ones; placeholders otherwise. */
  exampleIds?: ExampleWalletIds;
}

/** GraphiQL's options: the example tabs, and the given headers prefilled in each. */
export function graphiqlOptions(defaults: GraphiQLDefaults = {}): GraphiQLOptions {
  const headers = defaults.headers ? JSON.stringify(defaults.headers, null, 2) : undefined;
  return {
    title: 'Clumio wallet gateway',
    // A tab opened with "+" starts with the first tab's text.
    defaultQuery: firstTabQuery,
    defaultTabs: exampleTabs(defaults.exampleIds).map((tab) => ({ ...tab, ...(headers ? { headers } : {}) })),
    ...(headers ? { headers, defaultHeaders: headers, defaultEditorToolsVisibility: 'headers' as const } : {}),
    // Tokens stay out of the browser's storage unless the user chooses otherwise.
    shouldPersistHeaders: false,
  };
}

interface Page {
  body: Uint8Array<ArrayBuffer>;
  gzipped: Promise<Uint8Array<ArrayBuffer>>;
  etag: string;
}

/**
 * Renders the page once: about 9 MB of HTML, 2.4 MB gzipped (compressed off the event loop).
 * The renderer (some 45 MB in memory) is loaded on the first page view, not at startup, so a
 * gateway that never serves GraphiQL never holds it.
 */
async function renderPage(options: GraphiQLOptions): Promise<Page> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const body = new TextEncoder().encode(renderGraphiQL(options));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const gzipped = gzipAsync(body).then((buffer) => new Uint8Array(buffer));
  // A failure shows when the page is asked for gzipped, not as an unhandled rejection now.
  gzipped.catch(() => undefined);
  return { body, gzipped, etag };
}

/** Whether a request asks for GraphiQL's page: a browser's GET whose Accept names text/html. */
export function asksForGraphiQLPage(method: string, accept: string | null | undefined): boolean {
  return method === 'GET' && accept?.includes('text/html') === true;
}

/**
 * Serves GraphiQL at the GraphQL endpoint to browsers (GET accepting text/html), as Yoga's own
 * GraphiQL does, but from the gateway itself: script, styles and editor workers are all inlined
 * (`@graphql-yoga/render-graphiql`), so the page needs no CDN and works on networks that reach
 * none. The page is rendered once, sent gzipped to browsers that accept it, and revalidated by ETag.
 * Yoga's built-in GraphiQL must be off (`graphiql: false`).
 */
export function useGraphiQL(options: { endpoint: string; defaults?: GraphiQLDefaults }): Plugin {
  let rendering: Promise<Page> | undefined;
  return {
    async onRequest(event) {
      const { request, url, fetchAPI } = event;
      if (!asksForGraphiQLPage(request.method, request.headers.get('accept'))) return;
      if (url.pathname !== options.endpoint && url.pathname !== `${options.endpoint}/`) return;
      rendering ??= renderPage(graphiqlOptions(options.defaults));
      const page = await rendering;
      const headers: Record<string, string> = {
        'content-type': 'text/html; charset=utf-8',
        // The page may hold a development token: revalidate each time, never store it in shared caches.
        'cache-control': 'private, no-cache',
        etag: page.etag,
        vary: 'accept-encoding',
      };
      if (request.headers.get('if-none-match') === page.etag) {
        event.endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      if (/\bgzip\b(?!\s*;\s*q=0(\.0+)?(?![.\d]))/.test(request.headers.get('accept-encoding') ?? '')) {
        event.endResponse(new fetchAPI.Response(await page.gzipped, { status: 200, headers: { ...headers, 'content-encoding': 'gzip' } }));
        return;
      }
      event.endResponse(new fetchAPI.Response(page.body, { status: 200, headers }));
    },
  };
}
