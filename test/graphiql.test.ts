import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Kind, parse, validate } from 'graphql';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { exampleTabs, seededExampleIds, type ExampleWalletIds } from '../src/graphql/plugins/graphiql-examples.js';
import { createSchema } from '../src/graphql/schema.js';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { launchChromium } from './support/chromium.js';
import { closeServer, listen, startGateway } from './support/gateway.js';

/** Screenshots for a human to look at, next to the test results (not shared with other checkouts). */
const SCREENSHOTS = new URL('../test-results/', import.meta.url).pathname;

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
  let exampleIds: ExampleWalletIds;

  beforeAll(async () => {
    simulator = createSimulator();
    const clumioBaseUrl = await simulator.listen(0, '127.0.0.1');
    const config = loadConfig({ NODE_ENV: 'development', CLUMIO_API_BASE_URL: clumioBaseUrl, LOG_LEVEL: 'silent' });
    // As main.ts builds and serves it when it starts the embedded simulator.
    exampleIds = (await seededExampleIds(simulator))!;
    app = createApp({ config, clumioBaseUrl, graphiqlDefaults: { headers: { Authorization: `Bearer ${simulator.demoToken}` }, exampleIds } });
    server = createServer(app.handler);
    origin = await listen(server);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
    await app?.close();
    await simulator?.close();
  });

  /** A fresh page of GraphiQL, once its first tab shows the first example and the headers the demo token. */
  async function openGraphiQL(requests: string[] = []): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
    await expect(page.title()).resolves.toBe('Clumio wallet gateway');
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ state: 'visible' });
    await expect.poll(() => shownText(page.locator('.graphiql-query-editor')), { timeout: 60_000 }).toContain('wallets(first: 10)');
    await expect
      .poll(() => shownText(page.locator('.graphiql-editor-tool .monaco-editor').last()), { timeout: 60_000 })
      .toContain(simulator.demoToken.slice(0, 40));
    return { page, context };
  }

  /** Selects all of the active tab's text and puts `text` in its place, as a paste does, then runs it with Ctrl-Enter at once. */
  async function replaceAndRun(page: Page, text: string): Promise<void> {
    await page.locator('.graphiql-query-editor .monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
    await page.keyboard.press('ControlOrMeta+Enter');
  }

  /** The response pane once it holds `expected`. */
  async function responseWith(page: Page, expected: string): Promise<string> {
    const result = page.locator('.graphiql-response');
    await expect.poll(() => shownText(result), { timeout: 60_000 }).toContain(expected);
    return shownText(result);
  }

  it('runs a query of your own put over the first tab and run at once with Ctrl-Enter, anonymous or named, with no request leaving the machine', async () => {
    const requests: string[] = [];
    const { page, context } = await openGraphiQL(requests);
    try {
      await page.screenshot({ path: `${SCREENSHOTS}graphiql-examples.png` });
      await replaceAndRun(page, '{ __type(name: "Wallet") { name fields { name } } }');
      let shown = await responseWith(page, '"__type"');
      expect(shown).toContain('"accountNativeId"');
      expect(shown).not.toContain('"errors"');

      await replaceAndRun(page, `query One { wallet(id: "${exampleIds.read}") { id accountNativeId } }`);
      shown = await responseWith(page, exampleIds.read);
      expect(shown).toContain('"accountNativeId"');
      expect(shown).not.toContain('"errors"');
      await page.screenshot({ path: `${SCREENSHOTS}graphiql-own-query.png` });
    } finally {
      await context.close();
    }
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    // The demo token went upstream from the browser's run, exactly as in the header editor.
    expect(
      simulator.requests.some((r) => r.path === `/wallets/${exampleIds.read}` && r.headers.authorization === `Bearer ${simulator.demoToken}`),
    ).toBe(true);
  }, 240_000);

  it('runs every example tab as shipped against the embedded simulator, one operation per tab', async () => {
    const { page, context } = await openGraphiQL();
    const tabs = page.locator('.graphiql-tab');
    // What each tab's run shows: its operation's root field, and what proves it ran on the seeded wallets.
    const expected: Array<{ field: string; shows: string }> = [
      { field: 'wallets', shows: exampleIds.read },
      { field: 'wallet', shows: exampleIds.read },
      { field: 'refreshWallet', shows: exampleIds.read },
      { field: 'createWallet', shows: 'WAITING' },
      { field: 'deleteWallet', shows: exampleIds.deletable },
      { field: 'walletChanged', shows: exampleIds.read },
    ];
    try {
      await expect.poll(() => tabs.count()).toBe(expected.length);
      for (const [index, { field, shows }] of expected.entries()) {
        // The tab strip is a drag-to-reorder list that swallows a synthetic pointer click: send the button its click event.
        await tabs.nth(index).locator('.graphiql-tab-button').dispatchEvent('click');
        // GraphiQL learns a tab's operation 100 ms after its text changes, in the step that also keeps
        // the text in localStorage; a Ctrl-Enter before that runs the previous tab's operation name
        // (graphql/graphiql#1807). A person is never that quick: wait for that step, as they do.
        await expect.poll(() => page.evaluate(() => localStorage.getItem('graphiql:query') ?? ''), { timeout: 60_000 }).toContain(`${field}(`);
        await page.locator('.graphiql-query-editor .monaco-editor').first().click();
        await page.keyboard.press('ControlOrMeta+Enter');
        const shown = await responseWith(page, `"${field}"`);
        expect(shown, field).toContain(shows);
        expect(shown, field).not.toContain('"errors"');
        await page.screenshot({ path: `${SCREENSHOTS}graphiql-tab-${field}.png` });
      }
      // The subscription's stream is still open: Ctrl-Enter again stops it.
      await page.keyboard.press('ControlOrMeta+Enter');
      await expect.poll(() => page.locator('.graphiql-execute-button').getAttribute('aria-label')).toMatch(/^Execute/);
    } finally {
      await page.screenshot({ path: `${SCREENSHOTS}graphiql-tabs-last.png` });
      await context.close();
    }
    // Each run reached Clumio: the create, the delete and the refresh, as the tabs say.
    expect(simulator.requests.some((r) => r.method === 'POST' && r.path === '/wallets')).toBe(true);
    expect(simulator.requests.some((r) => r.method === 'DELETE' && r.path === `/wallets/${exampleIds.deletable}`)).toBe(true);
    expect(simulator.requests.some((r) => r.method === 'POST' && r.path === `/wallets/${exampleIds.read}/_refresh`)).toBe(true);
  }, 300_000);

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

  it('opens with one valid operation per example tab, the first one anonymous', () => {
    const schema = createSchema();
    const documents = exampleTabs(exampleIds).map((tab) => parse(tab.query));
    for (const document of documents) expect(validate(schema, document)).toEqual([]);
    const operations = documents.map((document) => document.definitions.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? (d.name?.value ?? '(anonymous)') : d.kind)));
    expect(operations).toEqual([['(anonymous)'], ['Wallet'], ['RefreshWallet'], ['CreateWallet'], ['DeleteWallet'], ['WalletChanged']]);
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
      expect(page.body).toContain('wallets(first: 10)');
      expect(page.body).not.toContain('Bearer ey');
      expect(page.body).not.toContain(gateway.simulator.demoToken);
    } finally {
      await gateway.close();
    }
  });
});
