import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import type { Wallet } from '../src/clumio/wallet.js';
import type { LiveEvent } from '../src/graphql/live/live-event.js';
import { Subscriber } from '../src/graphql/live/subscriber.js';
import type { Simulator } from '../src/simulator/index.js';
import { closeServer, listen, startGateway, type TestGateway } from './support/gateway.js';
import { eventually, openSse, type SseStream } from './support/sse.js';
import { seedWallets } from './support/wallets.js';
import { freePort, until } from './support/wait.js';

const intervalMs = 500;
const watch = 'subscription Watch($id: ID!) { walletChanged(id: $id) { id state installedRegions actions { canDelete } } }';
/** The data of one `watch` event. */
interface Watched {
  walletChanged: { id: string; state: string; installedRegions: string[]; actions: { canDelete: boolean } };
}

let gateway: TestGateway;
let tokenCounter = 0;

/** A caller of its own: a fresh organization holding `count` Waiting wallets. */
function newCaller(count = 1): { token: string; ids: string[] } {
  const token = `subscriptions-caller-${++tokenCounter}-${'x'.repeat(24)}`;
  return { token, ids: seedWallets(gateway.simulator, token, count) };
}

function subscribe(id: string, token: string | null, headers?: Record<string, string>): Promise<SseStream<Watched>> {
  return openSse<Watched>(gateway.url, { query: watch, variables: { id } }, { token, ...(headers ? { headers } : {}) });
}

/** The Clumio reads of one wallet since the last clear, with the token each carried. */
function readsOf(id: string, simulator: Simulator = gateway.simulator): string[] {
  return simulator.requests.filter((r) => r.method === 'GET' && r.path === `/wallets/${id}`).map((r) => r.headers.authorization ?? '');
}

/**
 * A subscription of a caller of its own, opened to count poll intervals by the gateway's timers
 * rather than the test's clock: its wallet is polled alone, so it is read once per interval.
 */
async function openWitness(url: string, simulator: Simulator, name: string): Promise<{ reads(): number; close(): void }> {
  const token = `subscriptions-witness-${name}-${'w'.repeat(24)}`;
  const [id] = seedWallets(simulator, token, 1);
  const stream = await openSse<Watched>(url, { query: watch, variables: { id } }, { token });
  expect((await stream.next())?.event).toBe('next');
  return { reads: () => readsOf(id!, simulator).length, close: () => stream.close() };
}

beforeAll(async () => {
  gateway = await startGateway({
    env: { SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs), SUBSCRIPTIONS_PER_CALLER: '3', SUBSCRIPTIONS_MAX: '12' },
  });
});
afterAll(async () => {
  await gateway?.close();
});

describe('walletChanged over server-sent events', () => {
  it('sends the wallet now, nothing while it stays the same, and the change once its stack is installed', async () => {
    const { token, ids } = newCaller();
    const id = ids[0]!;
    const stream = await subscribe(id, token);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');

    const first = await stream.next();
    expect(first?.event).toBe('next');
    expect(first?.data?.data?.walletChanged).toMatchObject({ id, state: 'WAITING', installedRegions: [], actions: { canDelete: true } });

    // Several polls of an unchanged wallet send nothing.
    expect(await eventually(() => readsOf(id).length >= 3, 5_000)).toBe(true);
    expect(await stream.next(intervalMs)).toBeNull();

    gateway.simulator.installStack(id);
    const second = await stream.next();
    expect(second?.data?.data?.walletChanged).toMatchObject({ id, state: 'ENABLED', actions: { canDelete: false } });
    expect(second?.data?.data?.walletChanged.installedRegions.length).toBeGreaterThan(0);
    stream.close();
  });

  it('polls Clumio with the subscriber\'s own token, and one poll serves identical subscriptions of one caller', async () => {
    const alice = newCaller();
    const bob = newCaller();
    const [a1, a2, b1] = await Promise.all([subscribe(alice.ids[0]!, alice.token), subscribe(alice.ids[0]!, alice.token), subscribe(bob.ids[0]!, bob.token)]);
    for (const stream of [a1, a2, b1]) expect((await stream.next())?.event).toBe('next');
    expect(gateway.app.live.stats()).toMatchObject({ polls: 2 });

    gateway.simulator.clearRequests();
    // Bob's one subscription is read once per interval: four of his reads are four intervals.
    await until(() => readsOf(bob.ids[0]!).length >= 4);
    const aliceReads = readsOf(alice.ids[0]!);
    const bobReads = readsOf(bob.ids[0]!);

    // One read per interval for Alice's two subscriptions together, as many as Bob's one, not one each.
    expect(aliceReads.length).toBeGreaterThanOrEqual(2);
    expect(aliceReads.length).toBeLessThanOrEqual(bobReads.length + 1);
    expect(new Set(aliceReads)).toEqual(new Set([`Bearer ${alice.token}`]));
    expect(new Set(bobReads)).toEqual(new Set([`Bearer ${bob.token}`]));

    // The shared poll outlives one of its subscribers and still serves the other.
    a1.close();
    expect(await eventually(() => gateway.app.live.stats().subscriptions === 2)).toBe(true);
    gateway.simulator.installStack(alice.ids[0]!);
    expect((await a2.next())?.data?.data?.walletChanged.state).toBe('ENABLED');
    a2.close();
    b1.close();
  });

  it('keeps the organizational unit in the poll: one wallet watched under two units is two polls, each read with its own', async () => {
    const { token } = newCaller(0);
    // A wallet of the east unit, which the global unit sees too.
    const id = String(gateway.simulator.putWallet(token, { account_native_id: '454545454545', state: 'Waiting' }, { organizationalUnit: 'ou-east' }).id);
    const [east, west] = await Promise.all(
      ['ou-east', ''].map((ou) => subscribe(id, token, { 'x-clumio-organizationalunit-context': ou })),
    );
    expect((await east!.next())?.event).toBe('next');
    expect((await west!.next())?.event).toBe('next');
    gateway.simulator.clearRequests();
    expect(await eventually(() => readsOf(id).length >= 4)).toBe(true);
    const units = gateway.simulator.requests
      .filter((r) => r.path === `/wallets/${id}`)
      .map((r) => r.headers['x-clumio-organizationalunit-context']);
    expect(new Set(units)).toEqual(new Set(['ou-east', undefined]));
    east!.close();
    west!.close();
  });

  it('stops polling once the last subscriber disconnects', async () => {
    const { token, ids } = newCaller();
    const witness = await openWitness(gateway.url, gateway.simulator, 'stops');
    const stream = await subscribe(ids[0]!, token);
    expect((await stream.next())?.event).toBe('next');
    const before = gateway.app.live.stats();

    stream.close();
    expect(await eventually(() => gateway.app.live.stats().polls === before.polls - 1)).toBe(true);
    gateway.simulator.clearRequests();
    // Proving that no read comes takes a period: three poll intervals, counted by the witness's reads.
    await until(() => witness.reads() >= 3);
    expect(readsOf(ids[0]!)).toEqual([]);
    witness.close();
  });

  it('ends the stream with NOT_FOUND when the wallet is deleted, and with UNAUTHENTICATED when Clumio stops accepting the token', async () => {
    const { token, ids } = newCaller(2);
    const deleted = await subscribe(ids[0]!, token);
    expect((await deleted.next())?.event).toBe('next');
    const removed = await gateway.gql('mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }', { id: ids[0] }, { token });
    expect(removed.body.errors).toBeUndefined();
    const gone = await deleted.next();
    expect(gone?.data?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(gone?.data?.data ?? null).toBeNull();
    expect((await deleted.next())?.event).toBe('complete');

    const revoked = await subscribe(ids[1]!, token);
    expect((await revoked.next())?.event).toBe('next');
    gateway.simulator.inject({ kind: 'status', status: 401, times: 100, match: { method: 'GET', pathPrefix: `/wallets/${ids[1]}` } });
    try {
      const refused = await revoked.next();
      expect(refused?.data?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(refused)).not.toContain(token);
      expect((await revoked.next())?.event).toBe('complete');
    } finally {
      gateway.simulator.clearFaults();
    }
    expect(await eventually(() => gateway.app.live.stats().subscriptions === 0)).toBe(true);
  });

  it('ends the stream with UPSTREAM_REJECTED when Clumio refuses the read with a status outside its published list', async () => {
    const { token, ids } = newCaller();
    const stream = await subscribe(ids[0]!, token);
    expect((await stream.next())?.event).toBe('next');
    gateway.simulator.inject({ kind: 'status', status: 406, message: 'Unsupported version.', times: 100, match: { method: 'GET', pathPrefix: `/wallets/${ids[0]}` } });
    try {
      const refused = await stream.next();
      expect(refused?.data?.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamStatus: 406 });
      expect(refused?.data?.errors?.[0]?.message).toContain('Unsupported version.');
      expect((await stream.next())?.event).toBe('complete');
    } finally {
      gateway.simulator.clearFaults();
    }
  });

  it('keeps watching through a transient Clumio failure', async () => {
    const { token, ids } = newCaller();
    const stream = await subscribe(ids[0]!, token);
    expect((await stream.next())?.event).toBe('next');
    gateway.simulator.inject({ kind: 'status', status: 500, times: 3, match: { method: 'GET', pathPrefix: `/wallets/${ids[0]}` } });
    expect(await eventually(() => readsOf(ids[0]!).length >= 4)).toBe(true);
    gateway.simulator.installStack(ids[0]!);
    expect((await stream.next())?.data?.data?.walletChanged.state).toBe('ENABLED');
    stream.close();
  });

  it('refuses a bad wallet id or a missing token before any call to Clumio', async () => {
    gateway.simulator.clearRequests();
    const badId = await subscribe('../wallets', newCaller(0).token);
    const badIdEvent = await badId.next();
    expect(badIdEvent?.data?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { ids } = newCaller();
    gateway.simulator.clearRequests();
    const anonymous = await subscribe(ids[0]!, null);
    expect((await anonymous.next())?.data?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(gateway.simulator.requests).toEqual([]);
    badId.close();
    anonymous.close();
  });

  it('bounds the subscriptions of one caller, and frees a place when one ends', async () => {
    const { token, ids } = newCaller(4);
    const open = await Promise.all(ids.slice(0, 3).map((id) => subscribe(id, token)));
    for (const stream of open) expect((await stream.next())?.event).toBe('next');

    const refused = await subscribe(ids[3]!, token);
    const event = await refused.next();
    expect(event?.data?.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_LIMIT_EXCEEDED');
    expect(event?.data?.errors?.[0]?.message).toContain('3 open subscriptions');

    // Another caller is not affected.
    const other = newCaller();
    const theirs = await subscribe(other.ids[0]!, other.token);
    expect((await theirs.next())?.data?.data?.walletChanged.id).toBe(other.ids[0]);

    open[0]!.close();
    expect(await eventually(() => gateway.app.live.stats().subscriptions === 3)).toBe(true);
    const again = await subscribe(ids[3]!, token);
    expect((await again.next())?.data?.data?.walletChanged.id).toBe(ids[3]);
    for (const stream of [...open, refused, theirs, again]) stream.close();
    expect(await eventually(() => gateway.app.live.stats().subscriptions === 0)).toBe(true);
  });
});

describe('a subscription answered without a stream', () => {
  /** POSTs the subscription with another Accept than text/event-stream; returns the status and content type. */
  async function withoutStream(url: string, id: string, token: string, accept: string): Promise<string> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: watch, variables: { id } }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return `${response.status} ${response.headers.get('content-type')?.startsWith('text/event-stream') ? 'stream' : 'no stream'}`;
  }

  it.each([
    ['on', 'true'],
    ['off', 'false'],
  ])('keeps no place and starts no poll, and the caller then opens its streams (fast path %s)', async (_name, fastPath) => {
    const own = await startGateway({
      env: { FAST_PATH: fastPath, SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs), SUBSCRIPTIONS_PER_CALLER: '3', SUBSCRIPTIONS_MAX: '12' },
    });
    try {
      const token = `no-stream-caller-${fastPath}-${'x'.repeat(24)}`;
      const ids = seedWallets(own.simulator, token, 3);
      // Four times the caller's bound in all, with each Accept that gets no stream.
      for (const accept of ['application/json', 'application/graphql-response+json', 'text/html']) {
        const answers = await Promise.all(ids.concat(ids).map((id) => withoutStream(own.url, id, token, accept)));
        expect(new Set(answers)).toEqual(new Set(['406 no stream']));
      }
      expect(own.app.live.stats()).toEqual({ subscriptions: 0, polls: 0 });
      expect(own.simulator.requests).toEqual([]);

      const streams = await Promise.all(ids.map((id) => openSse<Watched>(own.url, { query: watch, variables: { id } }, { token })));
      for (const [i, stream] of streams.entries()) expect((await stream.next())?.data?.data?.walletChanged.id).toBe(ids[i]);
      expect(own.app.live.stats()).toEqual({ subscriptions: 3, polls: 3 });
      for (const stream of streams) stream.close();
      expect(await eventually(() => own.app.live.stats().subscriptions === 0 && own.app.live.stats().polls === 0)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('counts the bound per token, however many organizational units it names', async () => {
    const { token } = newCaller(0);
    const units = ['ou-1', 'ou-2', 'ou-3', 'ou-4'];
    // A wallet in each unit, watched from its own unit.
    const ids = units.map((ou) => String(gateway.simulator.putWallet(token, { state: 'Waiting' }, { organizationalUnit: ou }).id));
    const streams = await Promise.all(units.map((ou, i) => subscribe(ids[i]!, token, { 'x-clumio-organizationalunit-context': ou })));
    const codes = await Promise.all(streams.map(async (stream) => {
      const event = await stream.next();
      return event?.data?.errors?.[0]?.extensions?.code ?? event?.event;
    }));
    expect(codes.filter((code) => code === 'next')).toHaveLength(3);
    expect(codes.filter((code) => code === 'SUBSCRIPTION_LIMIT_EXCEEDED')).toHaveLength(1);
    for (const stream of streams) stream.close();
    expect(await eventually(() => gateway.app.live.stats().subscriptions === 0)).toBe(true);
  });
});

describe('subscription configuration', () => {
  it('has bounded defaults, and refuses a poll interval under 500 ms or a Redis URL of another scheme without echoing it', () => {
    expect(loadConfig({})).toMatchObject({ subscriptions: { pollIntervalMs: 5_000, maxPerCaller: 10, maxTotal: 1_000 }, redisUrl: null });
    let error: unknown;
    try {
      loadConfig({ SUBSCRIPTION_POLL_INTERVAL_MS: '100', SUBSCRIPTIONS_PER_CALLER: '0', REDIS_URL: 'http://user:s3cret@cache:6379' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('REDIS_URL'),
      expect.stringContaining('SUBSCRIPTION_POLL_INTERVAL_MS'),
      expect.stringContaining('SUBSCRIPTIONS_PER_CALLER'),
    ]);
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('a long-lived stream', () => {
  it('outlives the operation deadline, which bounds each read instead', async () => {
    const own = await startGateway({ env: { SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs), OPERATION_DEADLINE_MS: '800' } });
    try {
      const token = `subscriptions-deadline-${'d'.repeat(24)}`;
      const [id] = seedWallets(own.simulator, token, 1);
      const stream = await openSse<Watched>(own.url, { query: watch, variables: { id } }, { token });
      expect((await stream.next())?.data?.data?.walletChanged.state).toBe('WAITING');
      // Three more polls of the wallet, 500 ms apart, put the stream well past its 800 ms deadline.
      own.simulator.clearRequests();
      await until(() => readsOf(id!, own.simulator).length >= 3);
      own.simulator.installStack(id!);
      expect((await stream.next())?.data?.data?.walletChanged.state).toBe('ENABLED');
      stream.close();
    } finally {
      await own.close();
    }
  });
});

describe('shutting down', () => {
  it('completes open streams and stops their polls, so draining connections does not wait for them', async () => {
    const own = await startGateway({ env: { SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs) } });
    try {
      const token = `subscriptions-shutdown-${'s'.repeat(24)}`;
      const [id] = seedWallets(own.simulator, token, 1);
      const stream = await openSse<Watched>(own.url, { query: watch, variables: { id } }, { token });
      expect((await stream.next())?.event).toBe('next');
      await own.app.live.endSubscriptions();
      expect((await stream.next())?.event).toBe('complete');
      expect(own.app.live.stats()).toEqual({ subscriptions: 0, polls: 0 });
    } finally {
      await own.close();
    }
  });
});

describe('the replica-wide subscription bound', () => {
  it('refuses a subscription past SUBSCRIPTIONS_MAX, whoever asks', async () => {
    const small = await startGateway({ env: { SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs), SUBSCRIPTIONS_MAX: '2' } });
    try {
      const callers = [1, 2, 3].map((n) => {
        const token = `subscriptions-max-${n}-${'y'.repeat(24)}`;
        return { token, id: seedWallets(small.simulator, token, 1)[0]! };
      });
      const open = (s: { token: string; id: string }) => openSse<Watched>(small.url, { query: watch, variables: { id: s.id } }, { token: s.token });
      const first = await open(callers[0]!);
      const second = await open(callers[1]!);
      expect((await first.next())?.event).toBe('next');
      expect((await second.next())?.event).toBe('next');
      const third = await open(callers[2]!);
      expect((await third.next())?.data?.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_LIMIT_EXCEEDED');
      for (const stream of [first, second, third]) stream.close();
    } finally {
      await small.close();
    }
  });
});

// Debian's redis-server, when installed (`apt-get install redis-server`), on a loopback port of its own.
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

describe.skipIf(!hasRedis)('replicas sharing Redis', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  let first: TestGateway;
  let second: { url: string; app: App; close(): Promise<void> };
  // A client of the test's own, to see which polls hold a lease.
  let leases: Redis;

  /** The lease keys in Redis now (one per wallet polled under a lease, whichever replica holds it). */
  const leaseKeys = async () => new Set(await leases.keys('walletChanged:lease:*'));

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    redisUrl = `redis://127.0.0.1:${port}`;
    // Ready once it answers PING.
    await until(async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null }).on('error', () => undefined);
      const ready = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
      probe.disconnect();
      return ready;
    }, 20_000, 50);
    leases = new Redis(redisUrl);

    const env = { SUBSCRIPTION_POLL_INTERVAL_MS: String(intervalMs), REDIS_URL: redisUrl };
    first = await startGateway({ env });
    // A second replica in front of the same Clumio.
    const clumioBaseUrl = first.simulator.url;
    const app = createApp({ config: loadConfig({ NODE_ENV: 'test', CLUMIO_API_BASE_URL: clumioBaseUrl, LOG_LEVEL: 'silent', ...env }), clumioBaseUrl });
    const server = createServer(app.yoga.requestListener);
    const origin = await listen(server);
    second = {
      url: `${origin}/graphql`,
      app,
      async close() {
        await closeServer(server);
        await app.close();
      },
    };
  });
  afterAll(async () => {
    leases?.disconnect();
    await second?.close();
    await first?.close();
    redis?.kill();
  });

  it('polls a wallet watched on two replicas once per interval, and both see it turn ENABLED', async () => {
    const token = `subscriptions-redis-${'r'.repeat(24)}`;
    const [id] = seedWallets(first.simulator, token, 1);
    const witness = await openWitness(first.url, first.simulator, 'replicas');
    const onFirst = await openSse<Watched>(first.url, { query: watch, variables: { id } }, { token });
    const onSecond = await openSse<Watched>(second.url, { query: watch, variables: { id } }, { token });
    expect((await onFirst.next())?.data?.data?.walletChanged.state).toBe('WAITING');
    expect((await onSecond.next())?.data?.data?.walletChanged.state).toBe('WAITING');

    first.simulator.clearRequests();
    // Four poll intervals, counted by the reads of a wallet that only the first replica watches.
    await until(() => witness.reads() >= 4);
    const witnessReads = witness.reads();
    const reads = readsOf(id!, first.simulator);
    // As many reads as the wallet watched on one replica, not one per replica.
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(witnessReads + 1);
    witness.close();

    first.simulator.installStack(id!);
    expect((await onFirst.next())?.data?.data?.walletChanged.state).toBe('ENABLED');
    expect((await onSecond.next())?.data?.data?.walletChanged.state).toBe('ENABLED');
    onFirst.close();
    onSecond.close();
  });

  it('hands the poll over when the subscribers of the polling replica leave', async () => {
    const token = `subscriptions-redis-handover-${'h'.repeat(24)}`;
    const [id] = seedWallets(first.simulator, token, 1);
    const held = await leaseKeys();
    const onFirst = await openSse<Watched>(first.url, { query: watch, variables: { id } }, { token });
    expect((await onFirst.next())?.event).toBe('next');
    // The first replica takes the lease at its second read; until then the second could take it.
    await until(async () => [...(await leaseKeys())].some((key) => !held.has(key)));
    const onSecond = await openSse<Watched>(second.url, { query: watch, variables: { id } }, { token });
    expect((await onSecond.next())?.event).toBe('next');

    onFirst.close();
    expect(await eventually(() => first.app.live.stats().polls === 0)).toBe(true);
    first.simulator.installStack(id!);
    expect((await onSecond.next(intervalMs * 10))?.data?.data?.walletChanged.state).toBe('ENABLED');
    onSecond.close();
  });
});

describe('a subscriber that does not read', () => {
  it('is held at the latest state: one wallet waits for it, not every change, and then the error that ends the watch', async () => {
    async function* changes(): AsyncGenerator<LiveEvent> {
      for (let i = 0; i < 100; i++) yield await Promise.resolve({ wallet: { id: 'w-1', state: `STATE_${i}` } as unknown as Wallet });
      yield { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Clumio could not be reached.' } };
    }
    let ended = 0;
    const heard: string[] = [];
    const subscriber = new Subscriber(changes(), () => ended++, (json) => heard.push(json));
    // Its source is read to the end while nobody reads the subscriber.
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toHaveLength(100);
    expect(await subscriber.next()).toEqual({ done: false, value: { wallet: { id: 'w-1', state: 'STATE_99' } } });
    expect(await subscriber.next()).toEqual({ done: false, value: { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Clumio could not be reached.' } } });
    expect(await subscriber.next()).toEqual({ done: true, value: undefined });
    expect(ended).toBe(1);
  });

  it('is sent nothing when the state waiting for it changes back to the one it has', async () => {
    const wallet = (state: string) => ({ id: 'w-1', state }) as unknown as Wallet;
    let go!: () => void;
    const gate = new Promise<void>((resolve) => (go = resolve));
    async function* changes(): AsyncGenerator<LiveEvent> {
      yield { wallet: wallet('WAITING') };
      await gate;
      yield { wallet: wallet('ENABLED') };
      yield { wallet: wallet('WAITING') };
      yield { error: { code: 'NOT_FOUND', message: 'Wallet not found.' } };
    }
    const subscriber = new Subscriber(changes(), () => {}, () => {});
    expect(await subscriber.next()).toEqual({ done: false, value: { wallet: wallet('WAITING') } });
    // ENABLED then WAITING again, while the reader reads nothing: it has WAITING already.
    go();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await subscriber.next()).toEqual({ done: false, value: { error: { code: 'NOT_FOUND', message: 'Wallet not found.' } } });
    expect(await subscriber.next()).toEqual({ done: true, value: undefined });
  });
});
