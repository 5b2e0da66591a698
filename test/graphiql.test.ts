import { existsSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { parse, validate } from 'graphql';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { exampleOperations } from '../src/graphql/plugins/use-graphiql.js';
import { createSchema } from '../src/graphql/schema.js';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { listen, startGateway } from './support/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/graphiql-offline.png';

/** Debian's chromium, installed by `npm test`'s setup step (test/support/ensure-chromium.sh); the test installs nothing. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  throw new Error(
    `The GraphiQL browser test needs Chromium at ${CHROMIUM}: run test/support/ensure-chromium.sh as root ` +
      '(it runs before `npm test`, and installs Debian\'s chromium with apt-get).',
  );
}

/** Requests a page may make without leaving the machine. */
function isLocal(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** What an editor shows; Monaco renders spaces as no-break spaces. */
async function shownText(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\u00a0/g, ' ');
}

/** A GET with node:http, so compression shows as sent (fetch would undo it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

async function getPage(url: string, accept = 'text/html'): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
}

describe('GraphiQL in a real browser, offline', () => {
  let simulator: Simulator;
  let app: App;
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    ensureChromium();
    simulator = createSimulator();
    const clumioBaseUrl = await simulator.listen(0, '127.0.0.1');
    const config = loadConfig({ NODE_ENV: 'development', CLUMIO_API_BASE_URL: clumioBaseUrl, LOG_LEVEL: 'silent' });
    // As main.ts builds and serves it when it starts the embedded simulator.
    app = createApp({ config, clumioBaseUrl, graphiqlDefaults: { headers: { Authorization: `Bearer ${simulator.demoToken}` } } });
    server = createServer(app.handler);
    origin = await listen(server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await app?.close();
    await simulator?.close();
  });

  it('runs a typed query from the page and shows the wallet, with no request leaving the machine', async () => {
    const listed = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${simulator.demoToken}` },
      body: JSON.stringify({ query: '{ wallets(first: 1) { nodes { id accountNativeId } } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const wallet = ((await listed.json()) as { data: { wallets: { nodes: Array<{ id: string; accountNativeId: string }> } } }).data.wallets
      .nodes[0]!;

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    try {
      await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
      await expect(page.title()).resolves.toBe('Clumio wallet gateway');

      // The first tab holds the example operations, and the header editor the demo token.
      const queryEditor = page.locator('.graphiql-query-editor .monaco-editor').first();
      await queryEditor.waitFor({ state: 'visible' });
      await expect.poll(() => shownText(page.locator('.graphiql-query-editor')), { timeout: 60_000 }).toContain('query Wallets');
      await expect
        .poll(() => shownText(page.locator('.graphiql-editor-tool .monaco-editor').last()), { timeout: 60_000 })
        .toContain(simulator.demoToken.slice(0, 40));
      await page.screenshot({ path: '/tmp/graphiql-examples.png' });

      // Replace the examples with a query of our own, typed key by key, and run it with Ctrl-Enter.
      await queryEditor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type(`query One { wallet(id: "${wallet.id}") { id accountNativeId } }`, { delay: 5 });
      await page.keyboard.press('Escape');
      // GraphiQL names the tab after the operation once it has parsed the new document.
      await expect.poll(() => page.locator('.graphiql-tab-active').innerText(), { timeout: 60_000 }).toContain('One');
      await page.keyboard.press('ControlOrMeta+Enter');

      const result = page.locator('.graphiql-response');
      await expect.poll(() => shownText(result), { timeout: 60_000 }).toContain(wallet.id);
      expect(await shownText(result)).toContain(wallet.accountNativeId);
      await page.screenshot({ path: SCREENSHOT });
    } finally {
      await context.close();
    }

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    // The demo token went upstream from the browser's run, exactly as typed in the header editor.
    expect(simulator.requests.some((r) => r.path === `/wallets/${wallet.id}` && r.headers.authorization === `Bearer ${simulator.demoToken}`)).toBe(true);
  }, 240_000);

  it('serves the whole of GraphiQL inline, with no script, style or font from another host', async () => {
    const page = await getPage(`${origin}/graphql`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body.length).toBeGreaterThan(1_000_000);
    expect(page.body).not.toMatch(/<(script|link|img)\b[^>]*\b(src|href)=["']?(https?:)?\/\//i);
    expect(page.body).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/i);
  });

  it('sends the page gzipped to browsers that accept it, and revalidates it by ETag', async () => {
    const plain = await rawGet(`${origin}/graphql`, { accept: 'text/html', 'accept-encoding': 'identity' });
    const zipped = await rawGet(`${origin}/graphql`, { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.headers.etag).toBe(plain.headers.etag);

    const again = await rawGet(`${origin}/graphql`, { accept: 'text/html', 'if-none-match': String(plain.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('opens with example operations that are valid against the schema', () => {
    const document = parse(exampleOperations);
    expect(validate(createSchema(), document)).toEqual([]);
    const names = document.definitions.map((d) => ('name' in d ? d.name?.value : undefined));
    expect(names).toEqual(['Wallets', 'Wallet', 'RefreshWallet']);
  });

  it('is not served when GRAPHIQL is off, nor by default in production', async () => {
    const envs: Array<Record<string, string>> = [{ GRAPHIQL: 'false' }, { NODE_ENV: 'production' }];
    for (const env of envs) {
      const gateway = await startGateway({ env });
      try {
        const page = await getPage(gateway.url);
        expect(page.type).not.toContain('text/html');
        expect(page.body).not.toContain('GraphiQL');
      } finally {
        await gateway.close();
      }
    }
  });

  it('prefills no token when the gateway has none to give, and is served in production when enabled', async () => {
    const gateway = await startGateway({ env: { NODE_ENV: 'production', GRAPHIQL: 'true' } });
    try {
      const page = await getPage(gateway.url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('query Wallets');
      expect(page.body).not.toContain('Bearer ey');
      expect(page.body).not.toContain(gateway.simulator.demoToken);
    } finally {
      await gateway.close();
    }
  });
});
