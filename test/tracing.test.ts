import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { closeServer, listen, startGateway, type TestGateway } from './support/gateway.js';
import { until } from './support/wait.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number; message?: string };
}

const SERVER = 2;
const CLIENT = 3;

/** A tiny OTLP/HTTP receiver on loopback: keeps every JSON export it is sent. */
async function startReceiver(): Promise<{ url: string; bodies: string[]; spans(): OtlpSpan[]; contentTypes: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        contentTypes.push(req.headers['content-type'] ?? '');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const url = await listen(server);
  return {
    url,
    bodies,
    contentTypes,
    spans: () =>
      bodies.flatMap((body) => {
        const data = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        return data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      }),
    close: () => closeServer(server),
  };
}

/** Polls `check` until it holds, for at most `ms`. */
function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if ('arrayValue' in value) return (value.arrayValue as { values: Array<Record<string, unknown>> }).values.map((v) => Object.values(v)[0]);
  return Object.values(value)[0];
}

const readWallet = 'query ReadWallet($id: ID!) { wallet(id: $id) { id state } }';
const refresh = 'mutation RefreshOne($id: ID!) { refreshWallet(id: $id) { wallet { id } } }';
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

describe('traces on', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gw: TestGateway;
  let walletId: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    gw = await startGateway({
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_SERVICE_NAME: 'wallet-gateway-under-test',
        CLUMIO_MAX_RETRIES: '2',
        CLUMIO_RETRY_BASE_DELAY_MS: '1',
      },
    });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
  });
  afterAll(async () => {
    await gw?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.bodies.length = 0;
    gw.simulator.clearRequests();
    gw.simulator.clearFaults();
  });

  /** Runs one operation and waits until its SERVER span has been exported. */
  async function traced(run: () => Promise<unknown>, name: string): Promise<{ operation: OtlpSpan; clients: OtlpSpan[] }> {
    const before = gw.simulator.requests.length;
    await run();
    const calls = gw.simulator.requests.length - before;
    await until(() => receiver.spans().some((s) => s.kind === SERVER && s.name === name), 10_000);
    const operation = receiver.spans().find((s) => s.kind === SERVER && s.name === name)!;
    await until(() => receiver.spans().filter((s) => s.kind === CLIENT && s.traceId === operation.traceId).length >= calls, 10_000);
    return { operation, clients: receiver.spans().filter((s) => s.kind === CLIENT && s.traceId === operation.traceId) };
  }

  it('exports an operation span and a child span per Clumio call, as OTLP JSON', async () => {
    const { operation, clients } = await traced(() => gw.gql(readWallet, { id: walletId }), 'query ReadWallet');
    expect(receiver.contentTypes[0]).toMatch(/^application\/json/);
    expect(attribute(operation, 'graphql.operation.name')).toBe('ReadWallet');
    expect(attribute(operation, 'graphql.operation.type')).toBe('query');
    expect(operation.parentSpanId ?? '').toBe('');
    expect(clients).toHaveLength(1);
    const call = clients[0]!;
    expect(call.name).toBe('clumio getWallet');
    expect(call.parentSpanId).toBe(operation.spanId);
    expect(attribute(call, 'clumio.operation')).toBe('getWallet');
    expect(attribute(call, 'http.request.method')).toBe('GET');
    expect(Number(attribute(call, 'http.response.status_code'))).toBe(200);
    const body = receiver.bodies.join('\n');
    expect(body).toContain('wallet-gateway-under-test');
  });

  it("sends Clumio the call span's own trace context", async () => {
    const { operation, clients } = await traced(() => gw.gql(readWallet, { id: walletId }), 'query ReadWallet');
    const sent = gw.simulator.requests.map((r) => traceparentPattern.exec(r.headers.traceparent ?? ''));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[1]).toBe(operation.traceId);
    expect(sent[0]?.[2]).toBe(clients[0]!.spanId);
  });

  it('traces operations that take the gateway\'s own door alike, also once their document is known', async () => {
    const served = gw.app.handler.jsonDoorCount;
    const { operation, clients } = await traced(
      () =>
        fetch(gw.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${gw.simulator.demoToken}` },
          body: JSON.stringify({ query: readWallet, variables: { id: walletId } }),
          signal: AbortSignal.timeout(10_000),
        }).then((r) => r.json()),
      'query ReadWallet',
    );
    expect(clients).toHaveLength(1);
    expect(clients[0]!.parentSpanId).toBe(operation.spanId);
    expect(attribute(operation, 'graphql.operation.name')).toBe('ReadWallet');
    expect(traceparentPattern.exec(gw.simulator.requests[0]!.headers.traceparent ?? '')?.[2]).toBe(clients[0]!.spanId);
    // Earlier tests sent this document, so it ran as a known document, on the gateway's own door.
    expect(gw.app.handler.jsonDoorCount).toBe(served + 1);
  });

  it('continues the trace of an incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const { operation } = await traced(
      () => gw.gql(readWallet, { id: walletId }, { headers: { traceparent: `00-${traceId}-${parentId}-01` } }),
      'query ReadWallet',
    );
    expect(operation.traceId).toBe(traceId);
    expect(operation.parentSpanId).toBe(parentId);
    expect(traceparentPattern.exec(gw.simulator.requests[0]!.headers.traceparent ?? '')?.[1]).toBe(traceId);
  });

  it('gives each attempt of a retried call its own span and trace context', async () => {
    gw.simulator.inject({ kind: 'status', status: 503, times: 1 });
    const { operation, clients } = await traced(() => gw.gql(readWallet, { id: walletId }), 'query ReadWallet');
    expect(clients).toHaveLength(2);
    expect(clients.map((c) => Number(attribute(c, 'http.response.status_code'))).sort()).toEqual([200, 503]);
    for (const client of clients) expect(client.parentSpanId).toBe(operation.spanId);
    const sentSpanIds = gw.simulator.requests.map((r) => traceparentPattern.exec(r.headers.traceparent ?? '')?.[2]);
    expect(new Set(sentSpanIds)).toEqual(new Set(clients.map((c) => c.spanId)));
  });

  it('marks failed operations and calls with their codes', async () => {
    const { operation, clients } = await traced(() => gw.gql(refresh, { id: 'no-such-wallet-0001' }), 'mutation RefreshOne');
    expect(operation.status?.code).toBe(2);
    expect(attribute(operation, 'graphql.error.codes')).toEqual(['NOT_FOUND']);
    expect(clients).toHaveLength(1);
    expect(clients[0]!.status?.code).toBe(2);
    expect(attribute(clients[0]!, 'error.type')).toBe('NOT_FOUND');
    expect(Number(attribute(clients[0]!, 'http.response.status_code'))).toBe(404);
  });

  it('exports no token, wallet id, variables or Clumio path', async () => {
    await traced(() => gw.gql(readWallet, { id: walletId }), 'query ReadWallet');
    await traced(() => gw.gql(refresh, { id: walletId }), 'mutation RefreshOne');
    const body = receiver.bodies.join('\n');
    expect(body).not.toContain(gw.simulator.demoToken);
    expect(body).not.toContain(walletId);
    expect(body).not.toContain('/wallets');
    expect(body).not.toMatch(/bearer/i);
  });
});

describe('traces off (the default)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.close());

  it('sends no traceparent to Clumio, not even a caller-given one', async () => {
    const walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
    await gw.gql(readWallet, { id: walletId });
    await gw.gql(readWallet, { id: walletId }, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(gw.simulator.requests).toHaveLength(2);
    for (const request of gw.simulator.requests) {
      expect(request.headers).not.toHaveProperty('traceparent');
      expect(request.headers).not.toHaveProperty('tracestate');
    }
    expect(loadConfig({ NODE_ENV: 'test' }).tracing).toBeNull();
  });
});

describe('tracing configuration', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('derives the traces endpoint from the OTLP variables', () => {
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing?.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing?.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    const explicit = loadConfig({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/otlp/traces',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D,tenant=blue',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).tracing;
    expect(explicit).toMatchObject({
      endpoint: 'https://collector.example/otlp/traces',
      headers: { 'x-api-key': 'abc==', tenant: 'blue' },
      sampleRatio: 0.25,
      serviceName: 'clumio-wallet-gateway',
    });
  });

  it('refuses what it cannot honour, listing every problem and no header value', () => {
    const problems = problemsOf({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=super-secret-value,broken',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_BSP_SCHEDULE_DELAY: 'soon',
    });
    expect(problems).toHaveLength(5);
    for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_BSP_SCHEDULE_DELAY']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(problems.join('\n')).not.toContain('super-secret-value');
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual([expect.stringContaining('OTEL_TRACES_EXPORTER')]);
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([]);
  });
});
