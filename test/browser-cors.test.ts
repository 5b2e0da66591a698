import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { closeServer, listen, startGateway, type TestGateway } from './support/gateway.js';

/**
 * A frontend on another origin, in headless Chromium, calling the gateway as a browser does:
 * a preflight, then the request with its `Origin`. The browser itself checks the CORS headers
 * (a read is refused without them); the gateway's own door answers the requests, Yoga's the
 * preflights.
 */
describe('a frontend on another origin, in a real browser', () => {
  let gateway: TestGateway;
  let site: Server;
  let siteOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startGateway();
    // The frontend's own origin: another port is another origin.
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>frontend</title>');
    });
    siteOrigin = await listen(site);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer(site);
    await gateway?.close();
  });

  it('reads wallets with a POST and with a GET, both answered by the gateway\'s own door', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(siteOrigin);
      const before = gateway.app.handler.jsonDoorCount;
      const answers = await page.evaluate(
        async ({ url, token }) => {
          const headers = { authorization: `Bearer ${token}` };
          const query = '{ wallets(first: 2) { nodes { id state } } }';
          // With credentials, as a frontend sends cookies to its own API: the browser then also
          // requires Access-Control-Allow-Credentials, and an origin named rather than `*`.
          const post = await fetch(url, { method: 'POST', credentials: 'include', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          const get = await fetch(`${url}?query=${encodeURIComponent(query)}`, { credentials: 'include', headers });
          return Promise.all([post, get].map(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { wallets: { nodes: unknown[] } } } })));
        },
        { url: gateway.url, token: gateway.simulator.demoToken },
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.data?.wallets.nodes).toHaveLength(2);
      }
      expect(gateway.app.handler.jsonDoorCount - before).toBe(2);
    } finally {
      await page.close();
    }
  });

  it('lets the page read the refusal of a compressed body (415, with its code), not a failed fetch', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(siteOrigin);
      gateway.simulator.clearRequests();
      const answer = await page.evaluate(
        async ({ url, token }) => {
          const body = new Blob([JSON.stringify({ query: '{ wallets(first: 1) { nodes { id } } }' })]).stream().pipeThrough(new CompressionStream('gzip'));
          const r = await fetch(url, {
            method: 'POST',
            credentials: 'include',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
            body: await new Response(body).arrayBuffer(),
          });
          return { status: r.status, body: (await r.json()) as { errors?: Array<{ extensions?: { code?: string } }> } };
        },
        { url: gateway.url, token: gateway.simulator.demoToken },
      );
      expect(answer.status).toBe(415);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(gateway.simulator.requests).toHaveLength(0);
    } finally {
      await page.close();
    }
  });
});
