import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition into samples (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with exactly these labels, or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  const found = samples.filter(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

async function scrape(gw: TestGateway): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
  const response = await fetch(`${gw.origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseExposition(text), contentType: response.headers.get('content-type') };
}

const readWallet = 'query ReadWallet($id: ID!) { wallet(id: $id) { id state } }';
const refresh = 'mutation RefreshOne($id: ID!) { refreshWallet(id: $id) { wallet { id } } }';

describe('/metrics after real operations', () => {
  let gw: TestGateway;
  let walletId: string;
  const badToken = 'rejected-token-for-metrics-77';
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    gw = await startGateway({ env: { CLUMIO_MAX_RETRIES: '2', CLUMIO_RETRY_BASE_DELAY_MS: '1', CLUMIO_BREAKER_MIN_CALLS: '100000', CLUMIO_CALLER_BREAKER_FAILURES: '10000' } });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);

    expect((await gw.gql(readWallet, { id: walletId })).body.errors).toBeUndefined();
    expect((await gw.gql(readWallet, { id: walletId })).body.errors).toBeUndefined();
    expect((await gw.gql(refresh, { id: 'no-such-wallet-0001' })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gw.gql(readWallet, { id: walletId }, { token: badToken })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    gw.simulator.inject({ kind: 'status', status: 500, times: 1 });
    expect((await gw.gql(refresh, { id: walletId })).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    // A 503 on a read is retried: twice here, then the third answer is the caller's.
    gw.simulator.inject({ kind: 'status', status: 503, times: 3 });
    expect((await gw.gql(readWallet, { id: walletId })).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect((await gw.gql('query NoCredentials { wallet(id: "abc") { id } }', undefined, { token: null })).body.errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );

    ({ text, samples } = await scrape(gw));
  });
  afterAll(() => gw?.close());

  it('counts operations by name, type and outcome, with their latency', () => {
    const count = 'graphql_operation_duration_seconds_count';
    expect(value(samples, count, { operation: 'ReadWallet', type: 'query', outcome: 'ok' })).toBe(2);
    expect(value(samples, count, { operation: 'RefreshOne', type: 'mutation', outcome: 'NOT_FOUND' })).toBe(1);
    expect(value(samples, count, { operation: 'ReadWallet', type: 'query', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(value(samples, count, { operation: 'RefreshOne', type: 'mutation', outcome: 'UPSTREAM_ERROR' })).toBe(1);
    expect(value(samples, count, { operation: 'ReadWallet', type: 'query', outcome: 'UPSTREAM_ERROR' })).toBe(1);
    expect(value(samples, count, { operation: 'NoCredentials', type: 'query', outcome: 'UNAUTHENTICATED' })).toBe(1);
    const okSum = value(samples, 'graphql_operation_duration_seconds_sum', { operation: 'ReadWallet', type: 'query', outcome: 'ok' });
    expect(okSum).toBeGreaterThan(0);
    const inf = value(samples, 'graphql_operation_duration_seconds_bucket', { operation: 'ReadWallet', type: 'query', outcome: 'ok', le: '+Inf' });
    expect(inf).toBe(2);
  });

  it('counts each error code of an operation', () => {
    expect(value(samples, 'graphql_operation_errors_total', { operation: 'RefreshOne', code: 'NOT_FOUND' })).toBe(1);
    expect(value(samples, 'graphql_operation_errors_total', { operation: 'RefreshOne', code: 'UPSTREAM_ERROR' })).toBe(1);
    expect(value(samples, 'graphql_operation_errors_total', { operation: 'ReadWallet', code: 'UNAUTHENTICATED' })).toBe(1);
  });

  it('times each exchange with Clumio by Clumio operation, status and code', () => {
    const count = 'clumio_request_duration_seconds_count';
    expect(value(samples, count, { operation: 'getWallet', status: '200', code: 'ok' })).toBe(2);
    expect(value(samples, count, { operation: 'refreshWallet', status: '404', code: 'NOT_FOUND' })).toBe(1);
    expect(value(samples, count, { operation: 'getWallet', status: '401', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(value(samples, count, { operation: 'refreshWallet', status: '500', code: 'UPSTREAM_ERROR' })).toBe(1);
    expect(value(samples, count, { operation: 'getWallet', status: '503', code: 'UPSTREAM_ERROR' })).toBe(3);
    // The operation without credentials never reached Clumio.
    const total = samples.filter((s) => s.name === count).reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(2 + 1 + 1 + 1 + 3);
  });

  it('counts retries by Clumio operation and cause', () => {
    expect(value(samples, 'clumio_retries_total', { operation: 'getWallet', code: 'UPSTREAM_ERROR' })).toBe(2);
  });

  it('shows the breaker of the Clumio origin as closed', () => {
    const origin = new URL(gw.simulator.url).origin;
    expect(value(samples, 'clumio_breaker_state', { origin, state: 'closed' })).toBe(1);
    expect(value(samples, 'clumio_breaker_state', { origin, state: 'open' })).toBe(0);
    expect(value(samples, 'clumio_breaker_state', { origin, state: 'half-open' })).toBe(0);
  });

  it('holds no token, no wallet id and no request path; the origin only in the breaker gauge', () => {
    expect(text).not.toContain(gw.simulator.demoToken);
    expect(text).not.toContain(badToken);
    expect(text).not.toContain(walletId);
    expect(text).not.toContain('no-such-wallet');
    expect(text).not.toContain('/wallets');
    expect(text).not.toMatch(/bearer/i);
    const origin = new URL(gw.simulator.url).origin;
    const withOrigin = text.split('\n').filter((line) => line.includes(origin));
    expect(withOrigin.length).toBe(3);
    for (const line of withOrigin) expect(line.startsWith('clumio_breaker_state{')).toBe(true);
  });

  it('is served in the Prometheus text format, only to GET and HEAD', async () => {
    const { contentType, text: exposition } = await scrape(gw);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // One block per metric, a blank line between blocks: its HELP, its TYPE, then its own samples
    // only; no metric twice (the registry's metrics and the gateway's own histograms alike).
    expect(exposition.endsWith('\n') && !exposition.endsWith('\n\n')).toBe(true);
    const names: string[] = [];
    for (const block of exposition.slice(0, -1).split('\n\n')) {
      const [helpLine = '', typeLine = '', ...sampleLines] = block.split('\n');
      const name = /^# HELP (\w+) \S/.exec(helpLine)?.[1];
      expect(name, block).toBeDefined();
      expect(typeLine).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram|summary)$`));
      const suffixes = typeLine.endsWith('histogram') ? '(_bucket|_sum|_count)' : typeLine.endsWith('summary') ? '(_sum|_count)?' : '';
      for (const line of sampleLines) expect(line).toMatch(new RegExp(`^${name}${suffixes}(\\{.*\\})? \\S+$`));
      names.push(name!);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['graphql_operation_duration_seconds', 'clumio_request_duration_seconds', 'graphql_operation_errors_total']));
    const post = await fetch(`${gw.origin}/metrics`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(10_000) });
    expect(post.status).toBe(404);
    await post.body?.cancel();
    const head = await fetch(`${gw.origin}/metrics`, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    expect(head.status).toBe(200);
  });
});

describe('the breaker gauge', () => {
  let gw: TestGateway;
  afterAll(() => gw?.close());

  it('follows the breaker of the Clumio origin as it opens', async () => {
    gw = await startGateway({ env: { CLUMIO_MAX_RETRIES: '0', CLUMIO_BREAKER_MIN_CALLS: '2', CLUMIO_BREAKER_MIN_CALLERS: '1', CLUMIO_BREAKER_COOLDOWN_MS: '600000' } });
    const walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
    const origin = new URL(gw.simulator.url).origin;
    gw.simulator.inject({ kind: 'status', status: 500, times: 2 });
    for (let i = 0; i < 2; i++) expect((await gw.gql(refresh, { id: walletId })).body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    const failFast = await gw.gql(refresh, { id: walletId });
    expect(failFast.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');

    const { samples } = await scrape(gw);
    expect(value(samples, 'clumio_breaker_state', { origin, state: 'open' })).toBe(1);
    expect(value(samples, 'clumio_breaker_state', { origin, state: 'closed' })).toBe(0);
    // The call refused by the open breaker never became an exchange with Clumio.
    expect(value(samples, 'clumio_request_duration_seconds_count', { operation: 'refreshWallet', status: '500', code: 'UPSTREAM_ERROR' })).toBe(2);
    expect(value(samples, 'graphql_operation_duration_seconds_count', { operation: 'RefreshOne', type: 'mutation', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
  });
});

describe('operation names as labels', () => {
  let gw: TestGateway;
  afterAll(() => gw?.close());

  it('stay bounded under a flood of random operation names', async () => {
    gw = await startGateway();
    const flood = 300;
    const names = Array.from({ length: flood }, (_, i) => `Random_${i}_${Math.random().toString(36).slice(2, 10)}`);
    for (let i = 0; i < flood; i += 20) {
      await Promise.all(names.slice(i, i + 20).map((name) => gw.gql(`query ${name} { __typename }`)));
    }
    const longName = `Q${'x'.repeat(80)}`;
    await gw.gql(`query ${longName} { __typename }`);
    await gw.gql('{ __typename }');

    const { text, samples } = await scrape(gw);
    const series = samples.filter((s) => s.name === 'graphql_operation_duration_seconds_count');
    const operations = new Set(series.map((s) => s.labels.operation));
    expect(operations.size).toBeLessThanOrEqual(100 + 2);
    expect(operations.has('anonymous')).toBe(true);
    expect(operations.has('other')).toBe(true);
    const total = series.reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(flood + 2);
    const other = series.filter((s) => s.labels.operation === 'other').reduce((sum, s) => sum + s.value, 0);
    expect(other).toBeGreaterThanOrEqual(flood - 100 + 1);
    expect(text).not.toContain(longName);
  });
});

describe('log lines dropped', () => {
  let gw: TestGateway;
  afterAll(() => gw?.close());

  it("shows the logger's count of the lines it dropped, as it is at each scrape", async () => {
    let dropped = 0;
    gw = await startGateway({ logLinesDropped: () => dropped });
    const read = async () => {
      const response = await fetch(`${gw.origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
      return parseExposition(await response.text()).find((sample) => sample.name === 'gateway_log_lines_dropped_total')?.value;
    };
    expect(await read()).toBe(0);
    dropped = 1234;
    expect(await read()).toBe(1234);
    // Read again unchanged: the count as it is, not added to what the last scrape showed.
    expect(await read()).toBe(1234);
  });
});

describe('METRICS=false', () => {
  let gw: TestGateway;
  afterAll(() => gw?.close());

  it('does not serve /metrics', async () => {
    gw = await startGateway({ env: { METRICS: 'false' } });
    const response = await fetch(`${gw.origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it('records nothing that nobody reads: no operation, no Clumio exchange', async () => {
    const { body } = await gw.gql('{ wallets(first: 1) { nodes { id } } }');
    expect(body.errors).toBeUndefined();
    const samples = parseExposition(await gw.app.metrics.exposition());
    const counted = samples.filter((sample) => sample.name.endsWith('_count') && sample.value > 0);
    expect(counted).toEqual([]);
  });
});
