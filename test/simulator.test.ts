import { request as httpRequest } from 'node:http';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createSimulator, type RecordedRequest, type Simulator } from '../src/simulator/index.js';
import { RequestLog } from '../src/simulator/request-log.js';
import type { ClumioErrors, ClumioWallet, ClumioWalletPage } from './support/clumio-json.js';
import { parseJson, readJson } from './support/json.js';
import { until } from './support/wait.js';

interface CallOptions {
  method?: string;
  token?: string | null;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const WALLET_FIELDS = [
  'id', 'account_native_id', 'aws_region', 'clumio_aws_account_id', 'state', 'error_code', 'error_message',
  'key_errors', 'installed_regions', 'supported_regions', 'available_version', 'stack_version', 'deployment_url',
  'template_url', 'role_arn', 'token', '_embedded', '_links',
];

let sim: Simulator;
let base: string;

function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const token = opts.token === undefined ? sim.demoToken : opts.token;
  const headers: Record<string, string> = { accept: 'application/api.clumio.wallets=v1+json', ...opts.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(base + path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
}

/** Calls the simulator and reads its answer as `T`: a wallet unless the caller says a page or errors. */
async function callJson<T = ClumioWallet>(path: string, opts: CallOptions = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await call(path, opts);
  return { status: res.status, body: await readJson<T>(res), headers: res.headers };
}

function createBody(account: string, region?: string | null): string {
  return JSON.stringify(region === undefined ? { account_native_id: account } : { account_native_id: account, aws_region: region });
}

async function createWallet(token: string, account: string, region?: string | null): Promise<ClumioWallet> {
  const { status, body } = await callJson('/wallets', { method: 'POST', token, body: createBody(account, region) });
  expect(status).toBe(200);
  return body;
}

function expectEnvelope(body: unknown, fragment?: string): void {
  const { errors } = body as ClumioErrors;
  expect(errors).toHaveLength(1);
  expect(Number.isInteger(errors[0]?.error_code)).toBe(true);
  expect(errors[0]?.error_code).toBeGreaterThanOrEqual(0);
  expect(typeof errors[0]?.error_message).toBe('string');
  if (fragment) expect(errors[0]?.error_message).toContain(fragment);
}

let orgCounter = 0;
function newOrg(seed = false): string {
  const token = `test-org-${++orgCounter}-${Date.now()}`;
  sim.addOrganization(token, { seed });
  return token;
}

beforeAll(async () => {
  sim = createSimulator();
  base = await sim.listen();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.setLatency(0);
});

describe('authentication', () => {
  it('answers 401 in the error envelope when the Authorization header is missing', async () => {
    const { status, body } = await callJson('/wallets', { token: null });
    expect(status).toBe(401);
    expectEnvelope(body);
  });

  it('answers 401 for a bearer token no organization uses', async () => {
    const { status, body } = await callJson('/wallets', { token: 'not-a-real-token' });
    expect(status).toBe(401);
    expectEnvelope(body);
  });

  it('compares tokens exactly, so a prefix of a valid token is rejected', async () => {
    const { status } = await callJson('/wallets', { token: sim.demoToken.slice(0, -1) });
    expect(status).toBe(401);
  });

  it('gives the demo organization a long JWT-like token', () => {
    expect(sim.demoToken).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sim.demoToken.length).toBeGreaterThan(100);
  });

  it('accepts header names in any case', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/wallets`, {
        headers: { AuThOrIzAtIoN: `Bearer ${sim.demoToken}`, ACCEPT: 'application/api.clumio.wallets=v1+json' },
        timeout: 5_000,
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});

describe('organizations', () => {
  it('never shows one organization the wallets of another', async () => {
    const a = newOrg();
    const b = newOrg();
    const wallet = await createWallet(a, '111111111111');
    expect((await callJson(`/wallets/${wallet.id}`, { token: b })).status).toBe(404);
    expect((await callJson(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: b })).status).toBe(404);
    expect((await callJson(`/wallets/${wallet.id}`, { method: 'DELETE', token: b })).status).toBe(404);
    const list = await callJson<ClumioWalletPage>('/wallets', { token: b });
    expect(list.body._embedded.items).toEqual([]);
    expect((await callJson(`/wallets/${wallet.id}`, { token: a })).status).toBe(200);
  });

  it('seeds a new organization with a wallet in every state unless asked not to', async () => {
    const seeded = newOrg(true);
    const { body } = await callJson<ClumioWalletPage>('/wallets', { token: seeded });
    const states = body._embedded.items.map((w) => w.state);
    expect(new Set(states)).toEqual(new Set(['Waiting', 'Enabled', 'Error']));
  });

  it('refuses a second organization with the same token', () => {
    const token = newOrg();
    expect(() => sim.addOrganization(token)).toThrow();
  });
});

describe('the seeded demo organization', () => {
  it('holds about eight wallets covering every state with realistic fields', async () => {
    const { body } = await callJson<ClumioWalletPage>('/wallets?limit=100');
    const items = body._embedded.items;
    expect(items.length).toBeGreaterThanOrEqual(8);
    expect(new Set(items.map((w) => w.state))).toEqual(new Set(['Waiting', 'Enabled', 'Error']));
    expect(new Set(items.map((w) => w.aws_region)).size).toBeGreaterThanOrEqual(4);
    for (const wallet of items) {
      expect(Object.keys(wallet)).toEqual(WALLET_FIELDS);
      expect(wallet.token).toHaveLength(36);
      expect(wallet.clumio_aws_account_id).toMatch(/^\d{12}$/);
      expect(wallet.available_version).toBe(15);
      expect(wallet.deployment_url).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudformation\/.*quickcreate/);
      expect(wallet.template_url).toMatch(/^https:\/\/.*\.s3\..*amazonaws\.com\/.*\.yaml$/);
      expect(wallet._embedded).toEqual({});
    }
    const broken = items.find((w) => w.state === 'Error' && Object.keys(w.key_errors).length === 2);
    expect(broken).toBeDefined();
    expect(typeof broken!.error_code).toBe('string');
    expect(typeof broken!.error_message).toBe('string');
    for (const error of Object.values(broken!.key_errors)) {
      expect(typeof error.error_code).toBe('string');
      expect(typeof error.error_message).toBe('string');
    }
  });
});

describe('wallet operations', () => {
  it('creates a Waiting wallet carrying every contract field with explicit nulls', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '123456789012', 'eu-central-1');
    expect(Object.keys(wallet)).toEqual(WALLET_FIELDS);
    expect(wallet).toMatchObject({
      account_native_id: '123456789012',
      aws_region: 'eu-central-1',
      state: 'Waiting',
      error_code: null,
      error_message: null,
      key_errors: {},
      installed_regions: [],
      stack_version: null,
      role_arn: null,
      available_version: 15,
      _embedded: {},
    });
    expect(wallet.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(wallet.token).toHaveLength(36);
    expect(wallet.clumio_aws_account_id).toMatch(/^\d{12}$/);
    expect(wallet.deployment_url).toContain(encodeURIComponent(wallet.template_url));
  });

  it('parses a text/plain create body as JSON and defaults an explicit null region', async () => {
    const org = newOrg();
    const res = await call('/wallets', {
      method: 'POST',
      token: org,
      body: '{"account_native_id":"210987654321","aws_region":null,"unknown_field":true}',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    expect(res.status).toBe(200);
    const wallet = await readJson<ClumioWallet>(res);
    expect(wallet.aws_region).toBe('us-west-2');
  });

  it('rejects a create without a 12-digit account id, or with malformed JSON, with 400', async () => {
    const org = newOrg();
    for (const body of ['{}', '{"account_native_id":"12345"}', '{"account_native_id":123456789012}', '{"account_native_id":', '[]']) {
      const res = await callJson('/wallets', { method: 'POST', token: org, body });
      expect(res.status, body).toBe(400);
      expectEnvelope(res.body);
    }
    const region = await callJson('/wallets', { method: 'POST', token: org, body: createBody('123456789012', 'mars-1') });
    expect(region.status).toBe(400);
  });

  it('answers 409 to a duplicate create in the same organization only', async () => {
    const org = newOrg();
    await createWallet(org, '555555555555', 'us-east-1');
    const dup = await callJson('/wallets', { method: 'POST', token: org, body: createBody('555555555555', 'us-east-1') });
    expect(dup.status).toBe(409);
    expectEnvelope(dup.body);
    await createWallet(org, '555555555555', 'us-east-2');
    await createWallet(newOrg(), '555555555555', 'us-east-1');
  });

  it('reads a wallet by id and answers 404 in the envelope for an unknown id', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '222222222222');
    const read = await callJson(`/wallets/${wallet.id}`, { token: org });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(wallet);
    const missing = await callJson('/wallets/does-not-exist', { token: org });
    expect(missing.status).toBe(404);
    expectEnvelope(missing.body);
  });

  it('refreshes a wallet with a bodiless POST and returns it', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '333333333333');
    const refreshed = await callJson(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: org });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.id).toBe(wallet.id);
    expect(refreshed.body.state).toBe('Waiting');
  });

  it('deletes a wallet without a stack with 200 {} and then no longer finds it', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '444444444444');
    const deleted = await callJson(`/wallets/${wallet.id}`, { method: 'DELETE', token: org });
    expect(deleted).toMatchObject({ status: 200, body: {} });
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).status).toBe(404);
    expect((await callJson(`/wallets/${wallet.id}`, { method: 'DELETE', token: org })).status).toBe(404);
  });

  it('refuses with 412 to delete a wallet whose stack is installed', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '666666666666');
    sim.installStack(wallet.id);
    const refused = await callJson(`/wallets/${wallet.id}`, { method: 'DELETE', token: org });
    expect(refused.status).toBe(412);
    expectEnvelope(refused.body, 'stack');
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).status).toBe(200);
  });

  it('records each Clumio request with its method, raw target, lower-cased headers and body', async () => {
    sim.clearRequests();
    const org = newOrg();
    await call('/wallets?limit=0&start=', { token: org, headers: { 'X-Clumio-Api-Client': 'test' } });
    await call('/wallets', { method: 'POST', token: org, body: createBody('777777777777') });
    expect(sim.requests).toHaveLength(2);
    const [list, create] = sim.requests;
    expect(list).toMatchObject({ method: 'GET', path: '/wallets', url: '/wallets?limit=0&start=', body: '' });
    expect(list!.headers.accept).toBe('application/api.clumio.wallets=v1+json');
    expect(list!.headers['x-clumio-api-client']).toBe('test');
    expect(list!.headers.authorization).toBe(`Bearer ${org}`);
    expect(create).toMatchObject({ method: 'POST', path: '/wallets', body: createBody('777777777777') });
    expect(typeof create!.at).toBe('number');
    sim.clearRequests();
    expect(sim.requests).toHaveLength(0);
  });
});

describe('listing and pagination', () => {
  let org: string;
  const created: string[] = [];

  beforeAll(async () => {
    org = newOrg();
    for (let i = 0; i < 11; i++) created.push((await createWallet(org, String(100000000000 + i))).id);
  });

  it('visits every wallet exactly once in creation order by following _next links', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/wallets?limit=3';
    let pages = 0;
    while (next && pages++ < 20) {
      const { status, body }: { status: number; body: ClumioWalletPage } = await callJson(next, { token: org });
      expect(status).toBe(200);
      expect(body.limit).toBe(3);
      expect(body.current_count).toBe(body._embedded.items.length);
      seen.push(...body._embedded.items.map((w) => w.id));
      if (pages === 1) {
        expect(body._links._prev).toBeUndefined();
        expect(body.start).toBe('');
      } else {
        expect(body._links._prev).toBeDefined();
      }
      expect(body._links._self).toMatchObject({ templated: false, type: 'get' });
      expect(body._links._first.href).toBe('/wallets?limit=3');
      next = body._links._next?.href;
      if (next) expect(next).toMatch(/[?&]start=[A-Za-z0-9_-]+/);
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(created);
  });

  it('points _last at the final page and _prev back to the previous one', async () => {
    const first = await callJson<ClumioWalletPage>('/wallets?limit=4', { token: org });
    const last = await callJson<ClumioWalletPage>(first.body._links._last.href, { token: org });
    expect(last.body._embedded.items.map((w) => w.id)).toEqual(created.slice(8));
    expect(last.body._links._next).toBeUndefined();
    const prev = await callJson<ClumioWalletPage>(last.body._links._prev!.href, { token: org });
    expect(prev.body._embedded.items.map((w) => w.id)).toEqual(created.slice(4, 8));
  });

  it('uses page tokens that are not plain offsets', async () => {
    const first = await callJson<ClumioWalletPage>('/wallets?limit=3', { token: org });
    const token = new URL(first.body._links._next!.href, base).searchParams.get('start');
    expect(token).not.toMatch(/^\d+$/);
  });

  it('treats limit=0 and an empty start as the defaults', async () => {
    const { status, body } = await callJson<ClumioWalletPage>('/wallets?limit=0&start=', { token: org });
    expect(status).toBe(200);
    expect(body.limit).toBe(25);
    expect(body.start).toBe('');
    expect(body.current_count).toBe(11);
    expect(body._links._next).toBeUndefined();
    expect(body._links._prev).toBeUndefined();
  });

  it('clamps a limit above the maximum to the maximum', async () => {
    const { body } = await callJson<ClumioWalletPage>('/wallets?limit=5000', { token: org });
    expect(body.limit).toBe(100);
  });

  it('answers 400 to a start token it did not mint and to a non-numeric limit', async () => {
    for (const query of ['start=garbage!', 'start=MTA', 'limit=abc', 'limit=-1']) {
      const res = await callJson(`/wallets?${query}`, { token: org });
      expect(res.status, query).toBe(400);
      expectEnvelope(res.body);
    }
  });

  it('keeps paging stable when a wallet on an earlier page is deleted', async () => {
    const own = newOrg();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createWallet(own, String(200000000000 + i))).id);
    const first = await callJson<ClumioWalletPage>('/wallets?limit=2', { token: own });
    await call(`/wallets/${ids[0]}`, { method: 'DELETE', token: own });
    const second = await callJson<ClumioWalletPage>(first.body._links._next!.href, { token: own });
    expect(second.body._embedded.items.map((w) => w.id)).toEqual(ids.slice(2, 4));
  });
});

describe('wallet lifecycle', () => {
  it('shows an installed stack as Enabled on the next read, and the links follow the state', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '888888888888', 'us-east-1');
    expect(Object.keys(wallet._links).sort()).toEqual(['_self', 'delete-wallet', 'refresh-wallet']);
    expect(wallet._links._self).toEqual({ href: `/wallets/${wallet.id}`, templated: false, type: 'get' });
    expect(wallet._links['delete-wallet']).toEqual({ href: `/wallets/${wallet.id}`, templated: false, type: 'delete' });
    expect(wallet._links['refresh-wallet']).toEqual({ href: `/wallets/${wallet.id}/_refresh`, templated: false, type: 'post' });

    sim.installStack(wallet.id);
    const { body: enabled } = await callJson(`/wallets/${wallet.id}`, { token: org });
    expect(enabled).toMatchObject({ state: 'Enabled', stack_version: 15, installed_regions: ['us-east-1'] });
    expect(enabled.role_arn).toMatch(/^arn:aws:iam::888888888888:role\//);
    expect(Object.keys(enabled._links).sort()).toEqual(['_self', 'list-wallet-keys', 'refresh-wallet']);
    expect(enabled._links['list-wallet-keys']).toMatchObject({ templated: false, type: 'get' });
  });

  it('moves a broken wallet to Error only on refresh, and back to Enabled after the stack is reinstalled', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '999999999999', 'us-west-2');
    sim.installStack(wallet.id);
    await call(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: org });

    const keyErrors = { 'us-west-2': { error_code: 'KeyDisabled', error_message: 'disabled' } };
    sim.breakWallet(wallet.id, { error_code: 'KeyAccessFailed', error_message: 'cannot use key', key_errors: keyErrors });
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).body.state).toBe('Enabled');
    const { body: broken } = await callJson(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: org });
    expect(broken).toMatchObject({ state: 'Error', error_code: 'KeyAccessFailed', error_message: 'cannot use key', key_errors: keyErrors });
    expect(broken._links['list-wallet-keys']).toBeUndefined();
    expect(broken._links['delete-wallet']).toBeUndefined();

    sim.installStack(wallet.id);
    const { body: healed } = await callJson(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: org });
    expect(healed).toMatchObject({ state: 'Enabled', error_code: null, error_message: null, key_errors: {} });
  });

  it('fills default error details when a wallet is broken without any', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '121212121212', 'eu-west-1');
    sim.breakWallet(wallet.id);
    const { body } = await callJson(`/wallets/${wallet.id}/_refresh`, { method: 'POST', token: org });
    expect(body.state).toBe('Error');
    expect(typeof body.error_code).toBe('string');
    expect(Object.keys(body.key_errors)).toEqual(['eu-west-1']);
    expect(body._links['delete-wallet']).toBeDefined();
  });

  it('throws when a test controls a wallet id that does not exist', () => {
    expect(() => sim.installStack('no-such-wallet')).toThrow();
    expect(() => sim.breakWallet('no-such-wallet')).toThrow();
  });

  it('enables a Waiting wallet on its own after autoInstallAfterMs', async () => {
    const auto = createSimulator({ autoInstallAfterMs: 50, seed: false });
    const url = await auto.listen();
    try {
      const headers = { authorization: `Bearer ${auto.demoToken}` };
      const created = await readJson<ClumioWallet>(await fetch(`${url}/wallets`, { method: 'POST', headers, body: createBody('131313131313') }));
      expect(created.state).toBe('Waiting');
      const state = async () => (await readJson<ClumioWalletPage>(await fetch(`${url}/wallets`, { headers })))._embedded.items[0]?.state;
      await until(async () => (await state()) === 'Enabled');
    } finally {
      await auto.close();
    }
  });
});

describe('raw wallets put by tests', () => {
  it('serves a raw wallet verbatim, int64 values beyond 2^53 and unknown states included', async () => {
    const org = newOrg();
    const stored = sim.putWallet(org, {
      state: 'Migrating',
      available_version: 9007199254740993n,
      stack_version: 2147483648,
      _links: { _self: { href: '/odd', templated: true, type: 'get' } },
    });
    expect(typeof stored.id).toBe('string');
    const res = await call(`/wallets/${String(stored.id)}`, { token: org });
    const text = await res.text();
    expect(text).toContain('"available_version":9007199254740993');
    expect(text).toContain('"stack_version":2147483648');
    const body = parseJson<ClumioWallet>(text);
    expect(body.state).toBe('Migrating');
    expect(body._links).toEqual({ _self: { href: '/odd', templated: true, type: 'get' } });
    expect(body.error_code).toBeUndefined();
  });

  it('replaces a wallet with the same id in place', async () => {
    const org = newOrg();
    sim.putWallet(org, { id: 'w-1', state: 'Waiting' });
    sim.putWallet(org, { id: 'w-2', state: 'Waiting' });
    sim.putWallet(org, { id: 'w-1', state: 'Enabled' });
    const { body } = await callJson<ClumioWalletPage>('/wallets', { token: org });
    expect(body._embedded.items.map((w) => [w.id, w.state])).toEqual([['w-1', 'Enabled'], ['w-2', 'Waiting']]);
  });
});

describe('routing', () => {
  it('never treats _post-process as a wallet id', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await callJson('/wallets/_post-process', { method });
      expect(res.status, method).toBe(404);
      expectEnvelope(res.body);
    }
  });

  it('percent-decodes wallet ids as single path segments', async () => {
    const org = newOrg();
    sim.putWallet(org, { id: 'odd/id with space', state: 'Waiting' });
    const read = await callJson(`/wallets/${encodeURIComponent('odd/id with space')}`, { token: org });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe('odd/id with space');
    expect(read.body._links._self.href).toBe('/wallets/odd%2Fid%20with%20space');
    expect((await callJson('/wallets/odd/id%20with%20space', { token: org })).status).toBe(404);
  });

  it('answers 404 for unknown routes and extra segments, 405 for a wrong method on a known path', async () => {
    for (const path of ['/nope', '/wallets/x/_refresh/more', '/wallets/x/keys', '/wallets/']) {
      const res = await callJson(path);
      expect(res.status, path).toBe(404);
      expectEnvelope(res.body);
    }
    for (const [method, path] of [['PUT', '/wallets'], ['PATCH', '/wallets/x'], ['GET', '/wallets/x/_refresh']] as const) {
      const res = await callJson(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expectEnvelope(res.body);
    }
  });
});

describe('faults', () => {
  it('answers an injected status once, in the envelope and with Retry-After, then recovers', async () => {
    sim.inject({ kind: 'status', status: 429, message: 'slow down', retryAfterSeconds: 2 });
    const throttled = await callJson('/wallets');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expectEnvelope(throttled.body, 'slow down');
    expect((await call('/wallets')).status).toBe(200);
  });

  it('applies a fault only to matching requests, as many times as asked', async () => {
    sim.inject({ kind: 'status', status: 503, times: 2, match: { method: 'post', pathPrefix: '/wallets/' } });
    expect((await call('/wallets')).status).toBe(200);
    expect((await call('/wallets/x/_refresh', { method: 'POST' })).status).toBe(503);
    expect((await call('/wallets/x/_refresh', { method: 'POST' })).status).toBe(503);
    expect((await call('/wallets/x/_refresh', { method: 'POST' })).status).toBe(404);
  });

  it("answers malformed JSON with a 200 in Clumio's content type", async () => {
    sim.inject({ kind: 'malformed' });
    const res = await call('/wallets');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/api.clumio.wallets=v1+json');
    await expect(res.json()).rejects.toThrow();
  });

  it('answers an HTML error page, 502 unless told otherwise', async () => {
    sim.inject({ kind: 'html' });
    sim.inject({ kind: 'html', status: 504 });
    const first = await call('/wallets');
    expect(first.status).toBe(502);
    expect(first.headers.get('content-type')).toBe('text/html');
    expect(await first.text()).toContain('<html>');
    expect((await call('/wallets')).status).toBe(504);
  });

  it('resets the connection without answering', async () => {
    sim.inject({ kind: 'reset' });
    await expect(call('/wallets')).rejects.toThrow();
    expect((await call('/wallets')).status).toBe(200);
  });

  it('stalls forever without ms, so only the client timeout ends the call', async () => {
    sim.inject({ kind: 'stall' });
    const started = Date.now();
    await expect(call('/wallets', { timeoutMs: 200 })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers normally after a stall of ms', async () => {
    sim.inject({ kind: 'stall', ms: 150 });
    const started = Date.now();
    const res = await call('/wallets');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('dribbles the real body slowly after sending the headers at once', async () => {
    const expected = await (await call('/wallets?limit=1')).text();
    sim.inject({ kind: 'slowBody', chunkDelayMs: 5 });
    const started = Date.now();
    const res = await call('/wallets?limit=1');
    const headersAfter = Date.now() - started;
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toBe(expected);
    expect(Date.now() - started - headersAfter).toBeGreaterThanOrEqual(Math.floor(expected.length / 32) * 4);
  });

  it('streams a huge JSON body of exactly the requested size', async () => {
    sim.inject({ kind: 'huge', bytes: 2 * 1024 * 1024 });
    const res = await call('/wallets', { timeoutMs: 10_000 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/api.clumio.wallets=v1+json');
    const text = await res.text();
    expect(text.length).toBe(2 * 1024 * 1024);
    expect(() => {
      JSON.parse(text);
    }).not.toThrow();
  });

  it('rejects an invalid fault', () => {
    expect(() => sim.inject({ kind: 'slowBody' } as never)).toThrow();
    expect(() => sim.inject({ kind: 'boom' } as never)).toThrow();
  });

  it('forgets queued faults on clearFaults', async () => {
    sim.inject({ kind: 'status', status: 500, times: 5 });
    sim.clearFaults();
    expect((await call('/wallets')).status).toBe(200);
  });

  it('adds the configured latency before answering', async () => {
    sim.setLatency(120);
    const started = Date.now();
    expect((await call('/wallets')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('closes promptly even with a stalled request open', async () => {
    const own = createSimulator();
    const url = await own.listen();
    own.inject({ kind: 'stall' });
    const pending = fetch(`${url}/wallets`, { headers: { authorization: `Bearer ${own.demoToken}` }, signal: AbortSignal.timeout(5_000) });
    await until(() => own.requests.length === 1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });
});

describe("behaving as Clumio's SDKs expect", () => {
  it('labels every API answer, errors included, with the wallets vendor content type; control endpoints answer plain JSON', async () => {
    const org = newOrg();
    const answers = [await call('/wallets', { token: org }), await call('/wallets/no-such-wallet', { token: org }), await call('/wallets', { token: null })];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 401]);
    for (const res of answers) expect(res.headers.get('content-type')).toBe('application/api.clumio.wallets=v1+json');
    const log = await fetch(`${base}/__simulator/requests`, { signal: AbortSignal.timeout(5_000) });
    expect(log.headers.get('content-type')).toBe('application/json');
  });

  it('serves v1 to an Accept naming wallets v1, no Clumio type, or none at all, and refuses another version with 406', async () => {
    const org = newOrg();
    for (const accept of ['application/api.clumio.wallets=v1+json', '*/*', 'application/json', 'application/json, application/api.clumio.wallets=v1+json']) {
      expect((await call('/wallets', { token: org, headers: { accept } })).status, accept).toBe(200);
    }
    const bare = await fetch(`${base}/wallets`, { headers: { authorization: `Bearer ${org}` }, signal: AbortSignal.timeout(5_000) });
    expect(bare.status).toBe(200);
    for (const accept of ['application/api.clumio.wallets=v2+json', 'application/api.clumio.policies=v1+json']) {
      for (const [method, path] of [['GET', '/wallets'], ['POST', '/wallets'], ['GET', '/wallets/x'], ['POST', '/wallets/x/_refresh']] as const) {
        const res = await callJson(path, { token: org, method, headers: { accept }, ...(method === 'POST' && path === '/wallets' ? { body: createBody('123456789012') } : {}) });
        expect(res.status, `${accept} ${method} ${path}`).toBe(406);
        expectEnvelope(res.body, 'v1');
      }
    }
    // Nothing was created by the refused POST.
    expect((await callJson<ClumioWalletPage>('/wallets', { token: org })).body.current_count).toBe(0);
  });

  it('keeps a wallet to the organizational unit it was created in: the global unit sees every wallet, another unit none of it', async () => {
    const org = newOrg();
    const ou = (unit: string) => ({ 'x-clumio-organizationalunit-context': unit });
    const global = await createWallet(org, '111111111111');
    const east = await callJson('/wallets', { method: 'POST', token: org, body: createBody('222222222222'), headers: ou('ou-east') });
    expect(east.status).toBe(200);
    const ids = async (headers: Record<string, string>) =>
      (await callJson<ClumioWalletPage>('/wallets', { token: org, headers })).body._embedded.items.map((w) => w.id);
    expect(await ids({})).toEqual([global.id, east.body.id]);
    expect(await ids(ou(''))).toEqual([global.id, east.body.id]);
    expect(await ids(ou('ou-east'))).toEqual([east.body.id]);
    expect(await ids(ou('ou-west'))).toEqual([]);
    expect((await call(`/wallets/${east.body.id}`, { token: org, headers: ou('ou-west') })).status).toBe(404);
    expect((await call(`/wallets/${global.id}`, { token: org, headers: ou('ou-east') })).status).toBe(404);
    expect((await call(`/wallets/${east.body.id}`, { token: org, headers: ou('ou-east') })).status).toBe(200);
    expect((await call(`/wallets/${east.body.id}`, { token: org, method: 'DELETE', headers: ou('ou-west') })).status).toBe(404);
    expect((await call(`/wallets/${east.body.id}/_refresh`, { token: org, method: 'POST', headers: ou('ou-west') })).status).toBe(404);
  });

  it('pages a unit through its own wallets only, with tokens that stay in it', async () => {
    const org = newOrg();
    const headers = { 'x-clumio-organizationalunit-context': 'ou-paged' };
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      await createWallet(org, String(300000000000 + i));
      mine.push((await callJson('/wallets', { method: 'POST', token: org, body: createBody(String(400000000000 + i)), headers })).body.id);
    }
    const seen: string[] = [];
    let next: string | undefined = '/wallets?limit=2';
    while (next) {
      const { body }: { body: ClumioWalletPage } = await callJson(next, { token: org, headers });
      seen.push(...body._embedded.items.map((w) => w.id));
      next = body._links._next?.href;
    }
    expect(seen).toEqual(mine);
  });

  it('gives a wallet created without a region the region of the deployment, us-west-2 unless configured', async () => {
    const org = newOrg();
    expect((await createWallet(org, '555555555555')).aws_region).toBe('us-west-2');
    const other = createSimulator({ seed: false, region: 'eu-central-1' });
    const url = await other.listen();
    try {
      other.addOrganization('eu-org', { seed: false });
      const res = await fetch(`${url}/wallets`, { method: 'POST', headers: { authorization: 'Bearer eu-org' }, body: createBody('555555555555'), signal: AbortSignal.timeout(5_000) });
      expect((await readJson<ClumioWallet>(res)).aws_region).toBe('eu-central-1');
    } finally {
      await other.close();
    }
  });

  it('seeds the same wallet ids, stack tokens and roles on every start', async () => {
    const other = createSimulator();
    const url = await other.listen();
    try {
      const list = async (target: string, token: string) =>
        (await readJson<ClumioWalletPage>(await fetch(`${target}/wallets`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) })))._embedded.items.map(
          (w) => [w.id, w.token, w.role_arn],
        );
      const here = await list(base, sim.demoToken);
      expect(here).toHaveLength(8);
      expect(await list(url, other.demoToken)).toEqual(here);
      expect(new Set(here.map(([id]) => id)).size).toBe(8);
      for (const [id] of here) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      sim.addOrganization('stable-seed-org');
      other.addOrganization('stable-seed-org');
      const again = await list(url, 'stable-seed-org');
      expect(again).toHaveLength(3);
      expect(again).toEqual(await list(base, 'stable-seed-org'));
      expect(again.some(([id]) => here.some(([demo]) => demo === id))).toBe(false);
    } finally {
      await other.close();
    }
  });
});

describe('page tokens and the page size', () => {
  it('serves a token with any limit by default, and refuses another limit with 400 in strict mode', async () => {
    const org = newOrg();
    for (let i = 0; i < 6; i++) await createWallet(org, String(600000000000 + i));
    const first = await callJson<ClumioWalletPage>('/wallets?limit=2', { token: org });
    const start = new URL(first.body._links._next!.href, base).searchParams.get('start')!;
    expect((await callJson<ClumioWalletPage>(`/wallets?limit=5&start=${start}`, { token: org })).body.current_count).toBe(4);
    sim.setStrictPageTokens(true);
    try {
      const refused = await callJson(`/wallets?limit=5&start=${start}`, { token: org });
      expect(refused.status).toBe(400);
      expectEnvelope(refused.body, 'limit=2');
      expect((await callJson<ClumioWalletPage>(`/wallets?limit=2&start=${start}`, { token: org })).body.current_count).toBe(2);
    } finally {
      sim.setStrictPageTokens(false);
    }
  });

  it('switches strict page tokens over HTTP', async () => {
    const org = newOrg();
    for (let i = 0; i < 3; i++) await createWallet(org, String(610000000000 + i));
    const start = new URL((await callJson<ClumioWalletPage>('/wallets?limit=1', { token: org })).body._links._next!.href, base).searchParams.get('start')!;
    const put = (body: unknown) => fetch(`${base}/__simulator/paging`, { method: 'PUT', body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
    expect((await put({ strictTokens: true })).status).toBe(204);
    try {
      expect((await call(`/wallets?limit=3&start=${start}`, { token: org })).status).toBe(400);
      expect((await put({ strictTokens: 'yes' })).status).toBe(400);
    } finally {
      expect((await put({ strictTokens: false })).status).toBe(204);
    }
    expect((await call(`/wallets?limit=3&start=${start}`, { token: org })).status).toBe(200);
  });
});

describe('POST /wallets/_post-process, as the BYOK Terraform module calls it', () => {
  const accept = { accept: 'application/api.clumio.post-process-kms=v1+json', 'content-type': 'text/plain; charset=utf-8' };

  // What the Go SDK sends: every field, unset ones as null.
  function report(requestType: unknown, wallet: ClumioWallet, extra: Record<string, unknown> = {}): string {
    return JSON.stringify({
      account_native_id: wallet.account_native_id, aws_region: wallet.aws_region, created_multi_region_cmk: true,
      multi_region_cmk_key_id: 'mrk-1234', request_type: requestType, role_arn: null, role_external_id: 'ext-1', role_id: null,
      token: wallet.token, ...extra,
    });
  }

  function postProcess(token: string, body: string, headers: Record<string, string> = {}) {
    return callJson('/wallets/_post-process', { method: 'POST', token, body, headers: { ...accept, ...headers } });
  }

  it('installs the stack on Create (Waiting to Enabled) and uninstalls it on Delete, after which the wallet can be deleted', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '777777777777', 'eu-west-1');
    const created = await postProcess(org, report('Create', wallet, { role_arn: 'arn:aws:iam::777777777777:role/ByokRole' }));
    expect(created).toMatchObject({ status: 200, body: {} });
    const enabled = (await callJson(`/wallets/${wallet.id}`, { token: org })).body;
    expect(enabled).toMatchObject({ state: 'Enabled', installed_regions: ['eu-west-1'], stack_version: 15, role_arn: 'arn:aws:iam::777777777777:role/ByokRole' });
    expect(enabled._links['delete-wallet']).toBeUndefined();
    expect((await call(`/wallets/${wallet.id}`, { token: org, method: 'DELETE' })).status).toBe(412);
    expect((await postProcess(org, report('Update', wallet))).status).toBe(200);
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).body.state).toBe('Enabled');
    expect((await postProcess(org, report('Delete', wallet))).status).toBe(200);
    const waiting = (await callJson(`/wallets/${wallet.id}`, { token: org })).body;
    expect(waiting).toMatchObject({ state: 'Waiting', installed_regions: [], stack_version: null, role_arn: null });
    expect((await call(`/wallets/${wallet.id}`, { token: org, method: 'DELETE' })).status).toBe(200);
  });

  it('refuses with 400 a body that does not fit, and changes nothing', async () => {
    const org = newOrg();
    const wallet = await createWallet(org, '888888888888');
    const bodies = [
      report('Install', wallet),
      report(null, wallet),
      report('create', wallet),
      JSON.stringify({ request_type: 'Create' }),
      report('Create', wallet, { token: '00000000-0000-0000-0000-000000000000' }),
      report('Create', wallet, { account_native_id: '999999999999' }),
      report('Create', wallet, { aws_region: 'not a region' }),
      report('Create', wallet, { role_arn: 42 }),
      report('Create', wallet, { created_multi_region_cmk: 'yes' }),
      '[]',
      '{"request_type":',
    ];
    for (const body of bodies) {
      const res = await postProcess(org, body);
      expect(res.status, body).toBe(400);
      expectEnvelope(res.body);
    }
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).body.state).toBe('Waiting');
  });

  it("finds the wallet by token only in the caller's organization and unit, and checks the post-process Accept version", async () => {
    const org = newOrg();
    const other = newOrg();
    const wallet = await createWallet(org, '123123123123');
    expect((await postProcess(other, report('Create', wallet))).status).toBe(400);
    expect((await postProcess(org, report('Create', wallet), { 'x-clumio-organizationalunit-context': 'ou-elsewhere' })).status).toBe(400);
    expect((await postProcess(org, report('Create', wallet), { accept: 'application/api.clumio.post-process-kms=v2+json' })).status).toBe(406);
    expect((await postProcess(org, report('Create', wallet), { accept: 'application/api.clumio.wallets=v1+json' })).status).toBe(406);
    expect((await postProcess(org, report('Create', wallet), { accept: '*/*' })).status).toBe(200);
    expect((await callJson(`/wallets/${wallet.id}`, { token: org })).body.state).toBe('Enabled');
  });
});

describe('HTTP control endpoints', () => {
  function control(path: string, method: string, body?: unknown): Promise<Response> {
    return fetch(`${base}/__simulator/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
  }

  it('injects and clears faults over HTTP', async () => {
    expect((await control('faults', 'POST', { kind: 'status', status: 418 })).ok).toBe(true);
    expect((await call('/wallets')).status).toBe(418);
    await control('faults', 'POST', { kind: 'status', status: 500, times: 3 });
    expect((await control('faults', 'DELETE')).ok).toBe(true);
    expect((await call('/wallets')).status).toBe(200);
    expect((await control('faults', 'POST', { kind: 'nope' })).status).toBe(400);
  });

  it('sets latency over HTTP', async () => {
    expect((await control('latency', 'PUT', { ms: 100 })).ok).toBe(true);
    const started = Date.now();
    await call('/wallets');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await control('latency', 'PUT', { ms: 0 });
    expect((await control('latency', 'PUT', { ms: -1 })).status).toBe(400);
  });

  it('sets latency with jitter over HTTP: never below ms - jitterMs, and the jitter at most the latency', async () => {
    expect((await control('latency', 'PUT', { ms: 60, jitterMs: 20 })).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await call('/wallets');
      expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    }
    expect((await control('latency', 'PUT', { ms: 10, jitterMs: 11 })).status).toBe(400);
    expect((await control('latency', 'PUT', { ms: 10, jitterMs: -1 })).status).toBe(400);
    expect((await control('latency', 'PUT', { ms: 10, jitterMs: 'a' })).status).toBe(400);
    await control('latency', 'PUT', { ms: 0 });
    expect(() => sim.setLatency(5, 6)).toThrow(RangeError);
  });

  it('lists and clears recorded requests over HTTP, without recording itself', async () => {
    await control('requests', 'DELETE');
    await call('/wallets?limit=2');
    const res = await control('requests', 'GET');
    const recorded = await readJson<RecordedRequest[]>(res);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method: 'GET', url: '/wallets?limit=2' });
    await control('requests', 'DELETE');
    expect(sim.requests).toHaveLength(0);
  });

  it('adds an organization and installs a stack over HTTP', async () => {
    const token = `http-org-${Date.now()}`;
    expect((await control('organizations', 'POST', { token, seed: false })).ok).toBe(true);
    expect((await control('organizations', 'POST', { token })).status).toBe(409);
    const wallet = await createWallet(token, '141414141414');
    expect((await control(`wallets/${encodeURIComponent(wallet.id)}/install-stack`, 'POST')).ok).toBe(true);
    expect((await callJson(`/wallets/${wallet.id}`, { token })).body.state).toBe('Enabled');
    expect((await control('wallets/unknown/install-stack', 'POST')).status).toBe(404);
  });
});

describe('request log bound', () => {
  it('keeps only the most recent entries', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 10; i++) log.add({ method: 'GET', path: `/${i}`, url: `/${i}`, headers: {}, body: '', at: i });
    expect(log.all().map((r) => r.path)).toEqual(['/7', '/8', '/9']);
  });
});
