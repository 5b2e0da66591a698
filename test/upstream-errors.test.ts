import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';
import { memoryLogger } from './support/memory-logger.js';

const refresh = 'mutation($id: ID!) { refreshWallet(id: $id) { wallet { id } } }';

describe('upstream outcomes become stable error codes', () => {
  const logs = memoryLogger('warn');
  let gw: TestGateway;
  let walletId: string;

  beforeAll(async () => {
    // Short timeouts so the stall case ends quickly; retries (where configured) see the same faults.
    gw = await startGateway({ env: { CLUMIO_HEADERS_TIMEOUT_MS: '300', CLUMIO_BODY_TIMEOUT_MS: '600', OPERATION_DEADLINE_MS: '2000' }, logger: logs.logger });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    gw.simulator.clearFaults();
    gw.simulator.clearRequests();
  });

  it.each([
    [400, 'BAD_USER_INPUT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [412, 'PRECONDITION_FAILED'],
  ])('Clumio answering %i gives %s with Clumio’s own message and nothing else of the answer', async (status, code) => {
    gw.simulator.inject({ kind: 'status', status, message: `clumio says ${status}`, times: 10 });
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({ code, upstreamStatus: status });
    expect(error.message).toContain(`clumio says ${status}`);
    const text = JSON.stringify(body);
    expect(text).not.toContain(gw.simulator.url);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('"errors":[{"error_code"');
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it.each([500, 501, 503])('Clumio answering %i gives UPSTREAM_ERROR with a fixed message; Clumio’s own goes to the log at warn, blanked', async (status) => {
    const internal = `NullPointerException at com.clumio.wallets.Refresh(Refresh.java:42) calling https://kms.internal.example/v1 as Bearer abc.def.ghi`;
    gw.simulator.inject({ kind: 'status', status, message: internal, times: 10 });
    logs.clear();
    const { body, headers } = await gw.gql(refresh, { id: walletId });
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: status });
    expect(error.message).toBe('Clumio failed to answer this request.');
    expect(JSON.stringify(body)).not.toMatch(/NullPointer|Refresh\.java|kms\.internal|abc\.def/);
    const line = logs.lines().find((l) => l.msg === 'clumio error message');
    expect(line).toMatchObject({ level: 40, clumioOperation: 'refreshWallet', status });
    expect(line!.requestId).toBe(headers.get('x-request-id'));
    expect(line!.clumioMessage).toContain('NullPointerException');
    expect(logs.raw()).not.toContain('kms.internal.example');
    expect(logs.raw()).not.toContain('abc.def.ghi');
  });

  it.each([405, 406, 415, 418, 422])(
    'Clumio answering %i, outside its published statuses, gives UPSTREAM_REJECTED with its own message, sent once',
    async (status) => {
      gw.simulator.inject({ kind: 'status', status, message: `clumio refuses with ${status}`, times: 10 });
      const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: walletId });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toEqual({ code: 'UPSTREAM_REJECTED', upstreamStatus: status });
      expect(body.errors![0]!.message).toBe(`Clumio refused the request. Clumio says: clumio refuses with ${status}`);
      // A refusal is an answer: not retried.
      expect(gw.simulator.requests).toHaveLength(1);
    },
  );

  it('Clumio refusing requests never opens the circuit breaker: a refusal is an answer', async () => {
    const strict = await startGateway({ env: { CLUMIO_BREAKER_FAILURES: '1' } });
    try {
      const id = String(strict.simulator.putWallet(strict.simulator.demoToken, { state: 'Enabled' }).id);
      strict.simulator.inject({ kind: 'status', status: 422, message: 'Unprocessable.', times: 3 });
      for (let i = 0; i < 3; i++) {
        const { body } = await strict.gql('query($id: ID!) { wallet(id: $id) { id } }', { id });
        expect(body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED' });
      }
      expect(strict.app.clumio.health().breaker).toBe('closed');
      expect((await strict.gql('query($id: ID!) { wallet(id: $id) { id } }', { id })).body).toEqual({ data: { wallet: { id } } });
    } finally {
      await strict.close();
    }
  });

  it.each([406, 422])(
    'Clumio refusing with %i and a page that is not its error envelope (406: the Accept version) is UPSTREAM_REJECTED, with no message of its own',
    async (status) => {
      gw.simulator.inject({ kind: 'html', status, times: 10 });
      const { body } = await gw.gql(refresh, { id: walletId });
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: status });
      expect(body.errors![0]!.message).toBe('Clumio refused the request.');
    },
  );

  it('Clumio answering 429 gives RATE_LIMITED saying when to retry', async () => {
    gw.simulator.inject({ kind: 'status', status: 429, retryAfterSeconds: 30, message: 'slow down', times: 10 });
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    expect(body.errors?.[0]?.message).toMatch(/retry after 30 seconds/i);
  });

  it('Clumio never answering gives UPSTREAM_TIMEOUT within the configured timeouts', async () => {
    gw.simulator.inject({ kind: 'stall', times: 10 });
    const started = performance.now();
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    // Not later than the operation's deadline (2 s here), with room for a loaded machine; a
    // stalled Clumio is stalled for good, so an answer at all comes from a timeout.
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('a connection reset gives UPSTREAM_UNAVAILABLE, flagged as possibly applied for a write', async () => {
    gw.simulator.inject({ kind: 'reset', times: 10 });
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'UNKNOWN' });
  });

  it('an unreachable Clumio gives UPSTREAM_UNAVAILABLE', async () => {
    const down = await startGateway();
    const url = down.simulator.url;
    await down.simulator.close();
    try {
      const { body } = await down.gql(refresh, { id: walletId });
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toContain(url);
    } finally {
      await down.close();
    }
  });

  it.each([
    ['malformed JSON', { kind: 'malformed' as const }],
    ['an HTML error page', { kind: 'html' as const, status: 200 }],
  ])('%s gives BAD_UPSTREAM_RESPONSE', async (_name, fault) => {
    gw.simulator.inject({ ...fault, times: 10 });
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
    expect(JSON.stringify(body)).not.toContain('<html');
  });

  it('an HTML page with a 502 status gives UPSTREAM_ERROR without its markup', async () => {
    gw.simulator.inject({ kind: 'html', status: 502, times: 10 });
    const { body } = await gw.gql(refresh, { id: walletId });
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/<html|<body/i);
  });

  it('a wallet of the wrong shape gives BAD_UPSTREAM_RESPONSE', async () => {
    const odd = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 42 }).id);
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id state } }', { id: odd });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
  });

  it('a wallet that does not exist is null for a read and NOT_FOUND for a mutation', async () => {
    const read = await gw.gql('{ wallet(id: "no-such-wallet") { id } }');
    expect(read.body).toEqual({ data: { wallet: null } });
    const write = await gw.gql(refresh, { id: 'no-such-wallet' });
    expect(write.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
