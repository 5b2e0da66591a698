import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf } from '../src/clumio/answer.js';
import { BreakerOpenError } from '../src/clumio/breaker.js';
import { createClumioClient, type ClumioClientOptions, type ClumioObserver } from '../src/clumio/client.js';
import { ClumioError, httpStatusError, upstreamError } from '../src/clumio/errors.js';
import type { RawExchange } from '../src/clumio/exchange.js';
import { isRetryable, retryDelayMs } from '../src/clumio/retry.js';
import { createSimulator, type Fault, type Simulator } from '../src/simulator/index.js';
import { Deadline } from '../src/request/deadline.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { until } from './support/wait.js';

const readWallet = 'query($id: ID!) { wallet(id: $id) { id } }';
const refresh = 'mutation($id: ID!) { refreshWallet(id: $id) { wallet { id } } }';
const remove = 'mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }';
const otherToken = 'other-caller-token.abc123';

/** Polls `check` until it holds, for at most `ms`. */
interface Setup {
  gw: TestGateway;
  proxy: TcpProxy;
  victimId: string;
  otherId: string;
}

async function setUp(env: Record<string, string>): Promise<Setup> {
  let proxy!: TcpProxy;
  const gw = await startGateway({
    env,
    via: async (url) => {
      proxy = await startTcpProxy(url);
      return proxy.url;
    },
  });
  gw.simulator.addOrganization(otherToken, { seed: false });
  const victimId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
  const otherId = String(gw.simulator.putWallet(otherToken, { state: 'Enabled' }).id);
  return { gw, proxy, victimId, otherId };
}

async function tearDown(setup: Setup | undefined): Promise<void> {
  await setup?.gw.close();
  await setup?.proxy.close();
}

describe('upstream faults: each gives the caller a clear code while other callers are still answered', () => {
  let s: Setup;
  const victimPath = () => `/wallets/${s.victimId}`;
  const onVictim = (fault: Fault): Fault => ({ ...fault, match: { pathPrefix: victimPath() } });
  const victimCalls = () => s.gw.simulator.requests.filter((r) => r.path.startsWith(victimPath()));

  /**
   * Starts the faulted operation, waits until Clumio has its request, then has another caller
   * read their own wallet; returns the faulted answer and whether it was still pending when the
   * other caller got theirs.
   */
  async function faultedWhileOtherReads(query: string) {
    let settled = false;
    const faulted = s.gw.gql(query, { id: s.victimId }).finally(() => {
      settled = true;
    });
    await until(() => victimCalls().length > 0);
    const other = await s.gw.gql(readWallet, { id: s.otherId }, { token: otherToken });
    expect(other.body).toEqual({ data: { wallet: { id: s.otherId } } });
    const stillPending = !settled;
    return { answer: await faulted, stillPending };
  }

  beforeAll(async () => {
    s = await setUp({
      CLUMIO_HEADERS_TIMEOUT_MS: '2000',
      CLUMIO_BODY_TIMEOUT_MS: '3000',
      OPERATION_DEADLINE_MS: '8000',
      CLUMIO_RETRY_BASE_DELAY_MS: '20',
      CLUMIO_RETRY_MAX_DELAY_MS: '10000',
      CLUMIO_MAX_RESPONSE_BYTES: String(1024 * 1024),
    });
  });
  afterAll(() => tearDown(s));
  beforeEach(() => {
    s.gw.simulator.clearFaults();
    s.gw.simulator.clearRequests();
  });

  it('a stalled Clumio gives UPSTREAM_TIMEOUT after the first-byte timeout, not retried, and never holds up another caller', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'stall', times: 5 }));
    const { answer, stillPending } = await faultedWhileOtherReads(readWallet);
    expect(stillPending).toBe(true);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(answer.body.data).toEqual({ wallet: null });
    expect(victimCalls()).toHaveLength(1);
  });

  it('a body that trickles in gives UPSTREAM_TIMEOUT after the whole-body timeout while another caller is answered', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'slowBody', chunkDelayMs: 300, times: 5 }));
    const { answer, stillPending } = await faultedWhileOtherReads(readWallet);
    expect(stillPending).toBe(true);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('a connection reset on a read is retried and the caller gets the wallet', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'reset', times: 1 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body).toEqual({ data: { wallet: { id: s.victimId } } });
    expect(victimCalls()).toHaveLength(2);
  });

  it.each([
    ['refresh', refresh],
    ['delete', remove],
  ])('a connection reset on a %s is not repeated: UPSTREAM_UNAVAILABLE with outcome UNKNOWN', async (_name, mutation) => {
    s.gw.simulator.inject(onVictim({ kind: 'reset', times: 5 }));
    const { answer } = await faultedWhileOtherReads(mutation);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'UNKNOWN' });
    expect(victimCalls()).toHaveLength(1);
  });

  it('a connection reset on a create is never repeated', async () => {
    s.gw.simulator.inject({ kind: 'reset', times: 5, match: { method: 'POST', pathPrefix: '/wallets' } });
    const { body } = await s.gw.gql('mutation { createWallet(input: { accountNativeId: "111122223333" }) { wallet { id } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'UNKNOWN' });
    expect(s.gw.simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it.each([502, 503, 504])('a read answered %i once is retried and succeeds', async (status) => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status, times: 1 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body).toEqual({ data: { wallet: { id: s.victimId } } });
    expect(victimCalls()).toHaveLength(2);
  });

  it('a read that keeps failing with 503 is tried three times in all, then gives UPSTREAM_ERROR', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status: 503, times: 10 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 503 });
    expect(victimCalls()).toHaveLength(3);
  });

  it('a 500 is not retried', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status: 500, times: 10 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500 });
    expect(victimCalls()).toHaveLength(1);
  });

  it('a 429 on a read is retried after Clumio’s Retry-After, within the deadline', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body).toEqual({ data: { wallet: { id: s.victimId } } });
    const [first, second] = victimCalls();
    expect(second).toBeDefined();
    // Retry-After is a floor, not a speed: the retry may not go out before Clumio allowed it.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('a 429 whose Retry-After does not fit in the deadline goes back at once as RATE_LIMITED with retryAfterSeconds', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status: 429, retryAfterSeconds: 9, times: 5 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 9 });
    expect(victimCalls()).toHaveLength(1);
  });

  it('a 429 longer than the longest retry wait goes back as RATE_LIMITED too', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'status', status: 429, retryAfterSeconds: 60, times: 5 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    expect(victimCalls()).toHaveLength(1);
  });

  it('malformed JSON gives BAD_UPSTREAM_RESPONSE', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'malformed', times: 5 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
    expect(JSON.stringify(answer.body)).not.toContain('account_native_id');
  });

  it('an HTML error page on a refresh gives UPSTREAM_ERROR without its markup, not retried', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'html', status: 502, times: 5 }));
    const { answer } = await faultedWhileOtherReads(refresh);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 502 });
    expect(JSON.stringify(answer.body)).not.toMatch(/<html|<body|<h1/i);
    expect(victimCalls()).toHaveLength(1);
  });

  it('an HTML page with status 200 gives BAD_UPSTREAM_RESPONSE', async () => {
    s.gw.simulator.inject(onVictim({ kind: 'html', status: 200, times: 5 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
    expect(JSON.stringify(answer.body)).not.toMatch(/<html/i);
  });

  it('a 16 MB body is refused with BAD_UPSTREAM_RESPONSE after the size cap, without reading it all', async () => {
    const before = s.proxy.bytesToClient;
    s.gw.simulator.inject(onVictim({ kind: 'huge', bytes: 16 * 1024 * 1024, times: 1 }));
    const { answer } = await faultedWhileOtherReads(readWallet);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_UPSTREAM_RESPONSE');
    expect(victimCalls()).toHaveLength(1);
    // The gateway stopped reading at its 1 MB cap: far less than the 16 MB crossed the wire.
    const relayed = s.proxy.bytesToClient - before;
    console.log(`huge body: ${(relayed / 1024 / 1024).toFixed(1)} MB of 16 MB relayed before the gateway hung up`);
    expect(relayed).toBeLessThan(12 * 1024 * 1024);
  });

  it('reports ready on /readiness while Clumio answers', async () => {
    const response = await fetch(`${s.gw.origin}/readiness`, { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, breaker: 'closed' });
  });
});

describe('the circuit breaker', () => {
  let s: Setup;
  const readiness = async () => {
    const response = await fetch(`${s.gw.origin}/readiness`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as { ready: boolean; breaker: string } };
  };

  beforeAll(async () => {
    s = await setUp({ CLUMIO_BREAKER_MIN_CALLS: '4', CLUMIO_BREAKER_MIN_CALLERS: '2', CLUMIO_BREAKER_COOLDOWN_MS: '1000' });
  });
  afterAll(() => tearDown(s));

  it('opens after a run of 500s to two callers, fails fast without calling Clumio, then probes and recovers', async () => {
    s.gw.simulator.inject({ kind: 'status', status: 500, times: 4 });
    for (let i = 0; i < 2; i++) {
      const { body } = await s.gw.gql(readWallet, { id: s.victimId });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500 });
      const other = await s.gw.gql(readWallet, { id: s.otherId }, { token: otherToken });
      expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500 });
    }
    expect(await readiness()).toEqual({ status: 503, body: { ready: false, breaker: 'open' } });

    // Open: every caller is answered at once, and nothing reaches Clumio.
    s.gw.simulator.clearRequests();
    const other = await s.gw.gql(readWallet, { id: s.otherId }, { token: otherToken });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'NOT_SENT' });
    const write = await s.gw.gql(refresh, { id: s.victimId });
    expect(write.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'NOT_SENT' });
    expect(s.gw.simulator.requests).toHaveLength(0);

    // After the cool-down readiness reports half-open, one probe goes through and closes it.
    await until(async () => (await readiness()).status === 200);
    expect((await readiness()).body.breaker).toBe('half-open');
    const probe = await s.gw.gql(readWallet, { id: s.otherId }, { token: otherToken });
    expect(probe.body).toEqual({ data: { wallet: { id: s.otherId } } });
    expect(await readiness()).toEqual({ status: 200, body: { ready: true, breaker: 'closed' } });
    const victim = await s.gw.gql(readWallet, { id: s.victimId });
    expect(victim.body).toEqual({ data: { wallet: { id: s.victimId } } });
  });

  it('is not opened by 4xx answers, which say Clumio is up', async () => {
    s.gw.simulator.inject({ kind: 'status', status: 403, times: 6, match: { pathPrefix: `/wallets/${s.victimId}` } });
    for (let i = 0; i < 6; i++) {
      const { body } = await s.gw.gql(readWallet, { id: s.victimId });
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await readiness()).body.breaker).toBe('closed');
  });
});

describe('a caller who disconnects', () => {
  let s: Setup;
  beforeAll(async () => {
    // Default timeouts (10 s to the first byte): within the bound below only a cancel can end the call.
    s = await setUp({});
  });
  afterAll(() => tearDown(s));

  // Twice: first as a document the gateway has not seen (parsed and validated), then as a known one.
  it.each(['an unknown', 'a known'])('cancels the upstream call their operation started (%s document): Clumio sees the connection closed', async (kind) => {
    const served = s.gw.app.handler.jsonDoorCount;
    const known = kind === 'a known';
    s.gw.simulator.clearRequests();
    s.gw.simulator.inject({ kind: 'stall', times: 1, match: { pathPrefix: `/wallets/${s.victimId}` } });
    const leaving = new AbortController();
    const request = fetch(s.gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.gw.simulator.demoToken}` },
      body: JSON.stringify({ query: readWallet, variables: { id: s.victimId } }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await until(() => s.gw.simulator.requests.some((r) => r.path === `/wallets/${s.victimId}`));
    expect(s.gw.app.clumio.health().inFlight).toBe(1);
    const closedBefore = s.proxy.closed;

    leaving.abort();
    expect(await request).toBeInstanceOf(Error);
    await until(() => s.proxy.closed > closedBefore, 3_000);
    await until(() => s.gw.app.clumio.health().inFlight === 0, 3_000);

    const { body } = await s.gw.gql(readWallet, { id: s.otherId }, { token: otherToken });
    expect(body).toEqual({ data: { wallet: { id: s.otherId } } });
    // Told apart from a timeout: the operation and its Clumio call end CANCELLED.
    const cancelled = async () => {
      const scrape = await s.gw.app.metrics.exposition();
      const count = (prefix: string) =>
        scrape
          .split('\n')
          .filter((line) => line.startsWith(prefix) && line.includes('code="CANCELLED"'))
          .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      return { operations: count('graphql_operation_errors_total'), calls: count('clumio_request_duration_seconds_count'), timeouts: scrape.includes('code="UPSTREAM_TIMEOUT"') };
    };
    await until(async () => (await cancelled()).operations === (known ? 2 : 1));
    expect(await cancelled()).toEqual({ operations: known ? 2 : 1, calls: known ? 2 : 1, timeouts: false });
    // The leaving request and the read after it, both through the gateway's own door.
    expect(s.gw.app.handler.jsonDoorCount - served).toBe(2);
  });
});

describe('a call waiting for a connection to Clumio', () => {
  it('ends when its caller leaves, and never reaches Clumio', async () => {
    // One connection: a stalled read holds it, so the second read waits in the pool.
    const gw = await startGateway({ env: { CLUMIO_MAX_CONNECTIONS: '1', OPERATION_DEADLINE_MS: '3000', CLUMIO_HEADERS_TIMEOUT_MS: '2500' } });
    try {
      const [held, waiting] = [0, 1].map(() => String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id)) as [string, string];
      gw.simulator.inject({ kind: 'stall', times: 1, match: { pathPrefix: `/wallets/${held}` } });
      const holding = gw.gql(readWallet, { id: held });
      await until(() => gw.simulator.requests.some((r) => r.path === `/wallets/${held}`));
      const leaving = new AbortController();
      const request = fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.simulator.demoToken}` },
        body: JSON.stringify({ query: readWallet, variables: { id: waiting } }),
        signal: leaving.signal,
      }).catch((error: unknown) => error);
      await until(() => gw.app.clumio.health().inFlight === 2);
      leaving.abort();
      expect(await request).toBeInstanceOf(Error);
      // Its call ends at once, though the connection it waited for is still held.
      await until(() => gw.app.clumio.health().inFlight === 1, 1_000);
      await holding;
      // The held connection is free again: the next read is answered, and the abandoned one was never sent.
      expect((await gw.gql(readWallet, { id: held })).body).toEqual({ data: { wallet: { id: held } } });
      expect(gw.simulator.requests.filter((r) => r.path === `/wallets/${waiting}`)).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });
});

describe('the Clumio client reports retries and breaker changes to its observer', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = createSimulator();
    await simulator.listen();
  });
  afterAll(() => simulator.close());
  const clientOf = (options: Partial<ClumioClientOptions>) =>
    createClumioClient({
      baseUrl: simulator.url,
      timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 3000 },
      maxResponseBytes: 1 << 20,
      clientName: 'test',
      clientVersion: '0',
      ...options,
    });

  it('hands the parsed body over once, so that the response, held by the call\'s promises, keeps none of it', async () => {
    const client = clientOf({});
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    const response = await client.send({ operation: 'listWallets', method: 'GET', path: '/wallets', caller });
    expect(response.status).toBe(200);
    const body = response.takeBody() as { _embedded?: { items?: unknown } };
    expect(Array.isArray(body._embedded?.items)).toBe(true);
    expect(() => response.takeBody()).toThrow('taken twice');
  });

  it('reads Clumio\'s message and Retry-After off an error answer', () => {
    const raw: RawExchange = { status: 503, headers: { 'retry-after': '7' }, text: '{"errors":[{"error_message":"busy"}]}', overCap: false };
    let error: unknown;
    try {
      answerOf(raw, undefined);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 503, retryAfterSeconds: 7, upstreamMessage: 'busy' } });
  });

  it('calls retrying before each retry and breakerChanged on each state change', async () => {
    const events: string[] = [];
    const observer: ClumioObserver = {
      retrying: (e) => events.push(`retrying ${e.operation} attempt ${e.attempt} after ${e.code}`),
      breakerChanged: (e) => events.push(`breaker ${e.state}${e.origin === simulator.url ? '' : ' (wrong origin)'}`),
      callFinished: (e) => events.push(`finished ${e.operation} ${e.status ?? e.code}`),
    };
    const client = clientOf({
      observer,
      retry: { baseDelayMs: 5 },
      // One caller may open it here: 3 failures in 4 calls.
      breaker: { minimumCalls: 4, minimumFailingCallers: 1, cooldownMs: 200 },
    });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    const get = () => client.send({ operation: 'listWallets', method: 'GET', path: '/wallets', caller });
    try {
      simulator.inject({ kind: 'status', status: 503, times: 1 });
      await get();
      simulator.inject({ kind: 'status', status: 500, times: 2 });
      await expect(get()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
      await expect(get()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
      await expect(get()).rejects.toBeInstanceOf(BreakerOpenError);
      // Refused before it took a slot: none is held.
      expect(client.health()).toEqual({ breaker: 'open', inFlight: 0, queued: 0 });
      await until(() => client.health().breaker === 'half-open');
      await get();
      expect(events).toEqual([
        'finished listWallets 503',
        'retrying listWallets attempt 2 after UPSTREAM_ERROR',
        'finished listWallets 200',
        'finished listWallets 500',
        'finished listWallets 500',
        'breaker open',
        'breaker half-open',
        'finished listWallets 200',
        'breaker closed',
      ]);
    } finally {
      await client.close();
    }
  });

  const listOf = (caller: { authorization: string }) => ({ operation: 'listWallets', method: 'GET', path: '/wallets', caller }) as const;

  it('answers a read that failed twice with its third attempt, and gives up after the last with its error', async () => {
    const attempts: string[] = [];
    const client = clientOf({ retry: { baseDelayMs: 2 }, observer: { callFinished: (e) => attempts.push(String(e.status)) } });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    try {
      simulator.inject({ kind: 'status', status: 503, times: 2 });
      const response = await client.send(listOf(caller));
      expect(response.status).toBe(200);
      expect(attempts).toEqual(['503', '503', '200']);
      attempts.length = 0;
      simulator.inject({ kind: 'status', status: 502, times: 2 });
      simulator.inject({ kind: 'status', status: 504, times: 1 });
      await expect(client.send(listOf(caller))).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 504 } });
      expect(attempts).toEqual(['502', '502', '504']);
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
    } finally {
      await client.close();
    }
  });

  it('retries a call that waited for a slot, and its retry waits for one again', async () => {
    const attempts: string[] = [];
    // Exchanges under way at once: with one slot, a retry that skipped the scheduler would overlap another call's.
    let open = 0;
    let mostOpen = 0;
    const client = clientOf({
      retry: { baseDelayMs: 2 },
      observer: {
        callStarted: () => {
          mostOpen = Math.max(mostOpen, ++open);
          return undefined;
        },
        callFinished: (e) => {
          open--;
          attempts.push(String(e.status));
        },
      },
      limits: { maxInFlight: 1, maxInFlightPerCaller: 1 },
    });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    try {
      simulator.inject({ kind: 'status', status: 503, times: 2 });
      const answers = await Promise.all([client.send(listOf(caller)), client.send(listOf(caller)), client.send(listOf(caller))]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(attempts.filter((s) => s === '503')).toHaveLength(2);
      expect(attempts.filter((s) => s === '200')).toHaveLength(3);
      expect(mostOpen).toBe(1);
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
    } finally {
      await client.close();
    }
  });

  it('sends nothing for a call whose slot comes free as its operation ends, and observes only the call that was out', async () => {
    const finished: string[] = [];
    const client = clientOf({ observer: { callFinished: (e) => finished.push(e.code ?? String(e.status)) }, limits: { maxInFlight: 1, maxInFlightPerCaller: 1 } });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    const operation = new Deadline(10_000);
    try {
      simulator.clearRequests();
      simulator.inject({ kind: 'stall', ms: 5_000 });
      const out = client.send({ ...listOf(caller), cancellation: operation });
      const waiting = client.send({ ...listOf(caller), cancellation: operation });
      await until(() => simulator.requests.length === 1 && client.health().queued === 1);
      operation.abort(new Error('the caller left'));
      await expect(out).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED', details: { outcome: 'NOT_SENT' } });
      expect(finished).toEqual(['CANCELLED']);
      expect(simulator.requests).toHaveLength(1);
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
    } finally {
      operation.release();
      await client.close();
    }
  });

  it('fails a call whose body does not serialise without sending it, with its slot given back', async () => {
    const finished: string[] = [];
    const client = clientOf({ observer: { callFinished: (e) => finished.push(e.code ?? String(e.status)) } });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    try {
      simulator.clearRequests();
      const call = client.send({ operation: 'createWallet', method: 'POST', path: '/wallets', body: { count: 1n }, caller });
      await expect(call).rejects.toBeInstanceOf(ClumioError);
      expect(finished).toHaveLength(1);
      expect(simulator.requests).toHaveLength(0);
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
    } finally {
      await client.close();
    }
  });

  const observerFailed = () => {
    throw new Error('observer failed');
  };
  it.each<[string, () => Partial<ClumioClientOptions>, boolean]>([
    // Clumio fails once, so that the call is retried.
    ['on a retry', () => ({ retry: { baseDelayMs: 2 }, observer: { retrying: observerFailed } }), true],
    [
      'as a call finishes',
      () => {
        let throws = 1;
        return { observer: { callFinished: () => (throws-- > 0 ? observerFailed() : undefined) }, limits: { maxInFlight: 1, maxInFlightPerCaller: 1 } };
      },
      false,
    ],
  ])('hands an observer that throws %s to the caller, with the slot given back', async (_when, options, retried) => {
    const client = clientOf(options());
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    try {
      if (retried) simulator.inject({ kind: 'status', status: 503, times: 1 });
      await expect(client.send(listOf(caller))).rejects.toThrow('observer failed');
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
      await expect(client.send(listOf(caller))).resolves.toMatchObject({ status: 200 });
    } finally {
      await client.close();
    }
  });

  it('gives its slot back when an observer throws as a call starts: the call fails, later calls go out', async () => {
    let throws = 2;
    const client = clientOf({
      observer: {
        callStarted: () => {
          if (throws-- > 0) throw new Error('observer failed');
          return undefined;
        },
      },
      limits: { maxInFlight: 2, maxInFlightPerCaller: 2 },
    });
    const caller = { authorization: `Bearer ${simulator.demoToken}` };
    const get = () => client.send({ operation: 'listWallets', method: 'GET', path: '/wallets', caller });
    try {
      await expect(get()).rejects.toThrow('observer failed');
      await expect(get()).rejects.toThrow('observer failed');
      expect(client.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
      await expect(Promise.all([get(), get(), get()])).resolves.toHaveLength(3);
    } finally {
      await client.close();
    }
  });
});

describe('the retry policy', () => {
  const read = { operation: 'getWallet', method: 'GET' } as const;
  const notSent = upstreamError('UPSTREAM_UNAVAILABLE', undefined, 'NOT_SENT');
  const broken = upstreamError('UPSTREAM_UNAVAILABLE', undefined, 'UNKNOWN');
  const timedOut = upstreamError('UPSTREAM_TIMEOUT', undefined, 'UNKNOWN');

  type Call = { operation: 'getWallet' | 'refreshWallet' | 'deleteWallet' | 'createWallet'; method: 'GET' | 'POST' | 'DELETE' };
  it.each<[string, boolean, Call, ClumioError]>([
    ['a read after a broken connection', true, read, broken],
    ['a read after a 429', true, read, httpStatusError(429, undefined, 1)],
    ['a read after a 502', true, read, httpStatusError(502, undefined, undefined)],
    ['a read after a 500', false, read, httpStatusError(500, undefined, undefined)],
    ['a read after a timeout', false, read, timedOut],
    ['a read after a 404', false, read, httpStatusError(404, undefined, undefined)],
    ['a read while the breaker is open', false, read, new BreakerOpenError()],
    ['a refresh that was never sent', true, { operation: 'refreshWallet', method: 'POST' }, notSent],
    ['a refresh after a broken connection', false, { operation: 'refreshWallet', method: 'POST' }, broken],
    ['a refresh after a 503', false, { operation: 'refreshWallet', method: 'POST' }, httpStatusError(503, undefined, undefined)],
    ['a delete that was never sent', true, { operation: 'deleteWallet', method: 'DELETE' }, notSent],
    ['a delete after a broken connection', false, { operation: 'deleteWallet', method: 'DELETE' }, broken],
    ['a create that was never sent', false, { operation: 'createWallet', method: 'POST' }, notSent],
  ])('%s: retried is %s', (_name, expected, request, error) => {
    expect(isRetryable(request, error)).toBe(expected);
  });

  it('backs off exponentially with jitter, capped, and never waits less than Retry-After', () => {
    const options = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    const error = httpStatusError(503, undefined, undefined);
    expect(retryDelayMs(1, error, options, () => 0)).toBe(50);
    expect(retryDelayMs(1, error, options, () => 1)).toBe(100);
    expect(retryDelayMs(3, error, options, () => 1)).toBe(400);
    expect(retryDelayMs(8, error, options, () => 1)).toBe(1000);
    expect(retryDelayMs(1, httpStatusError(429, undefined, 2), options, () => 0)).toBe(2000);
  });
});
