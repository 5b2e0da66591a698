import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBreaker, defaultBreakerOptions } from '../src/clumio/breaker.js';
import { Caller, callerKey } from '../src/clumio/caller.js';
import { createCallerBreakers } from '../src/clumio/caller-breakers.js';
import { createFailureWindow } from '../src/clumio/failure-window.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { memoryLogger } from './support/memory-logger.js';
import { until } from './support/wait.js';
import { seedWallets } from './support/wallets.js';

const readWallet = 'query($id: ID!) { wallet(id: $id) { id } }';

async function readiness(gw: TestGateway): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${gw.origin}/readiness`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.json() };
}

/** Runs `count` reads of `id` as `token`, `parallel` at a time; returns each answer's error code, or 'ok'. */
async function reads(gw: TestGateway, token: string, id: string, count: number, parallel = 10): Promise<string[]> {
  const codes: string[] = [];
  for (let done = 0; done < count; done += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - done) }, () => gw.gql(readWallet, { id }, { token }));
    for (const { body } of await Promise.all(batch)) {
      codes.push(body.errors ? String(body.errors[0]!.extensions?.code) : body.data?.wallet ? 'ok' : 'null');
    }
  }
  return codes;
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

describe('one caller whose calls keep failing', () => {
  const logs = memoryLogger('warn');
  let gw: TestGateway;
  const attacker = 'attacker-token.a1';
  const others = ['other-caller-token.b2', 'other-caller-token.c3'];
  let stalling: string;
  let failing: string;
  let healthy: string[];

  beforeAll(async () => {
    // Short timeouts so a stalled call ends in 1.5 s (yet a healthy read on a loaded machine is
    // well within them); a long cool-down so a breaker opened by mistake would still be open
    // when the other callers read.
    gw = await startGateway({
      env: { CLUMIO_HEADERS_TIMEOUT_MS: '1500', CLUMIO_BODY_TIMEOUT_MS: '3000', OPERATION_DEADLINE_MS: '5000', CLUMIO_BREAKER_COOLDOWN_MS: '60000' },
      logger: logs.logger,
    });
    [stalling, failing] = seedWallets(gw.simulator, attacker, 2) as [string, string];
    healthy = others.map((token) => seedWallets(gw.simulator, token, 1)[0]!);
    gw.simulator.inject({ kind: 'stall', times: Infinity, match: { pathPrefix: `/wallets/${stalling}` } });
    gw.simulator.inject({ kind: 'status', status: 500, times: Infinity, match: { pathPrefix: `/wallets/${failing}` } });
  });
  afterAll(() => gw.close());

  it('hammering a stalling and a 500-ing wallet leaves every read of the other callers answered, and is held back alone', async () => {
    const [stalled, failed, ...during] = await Promise.all([
      reads(gw, attacker, stalling, 40),
      reads(gw, attacker, failing, 40),
      ...others.map((token, i) => reads(gw, token, healthy[i]!, 60, 5)),
    ]);
    const after = await Promise.all(others.map((token, i) => reads(gw, token, healthy[i]!, 50)));
    const answered = [...during, ...after].flat();
    console.log(
      `one caller: stalling wallet ${JSON.stringify(tally(stalled))}, 500-ing wallet ${JSON.stringify(tally(failed))}; ` +
        `other callers ${answered.filter((c) => c === 'ok').length}/${answered.length} answered`,
    );
    expect(tally(answered)).toEqual({ ok: 2 * 60 + 2 * 50 });
    expect((await readiness(gw)).body).toEqual({ ready: true, breaker: 'closed' });

    // The failing caller got its failures, then was held back without calls to Clumio.
    expect(stalled).toContain('UPSTREAM_TIMEOUT');
    expect(failed).toContain('UPSTREAM_ERROR');
    expect([...stalled, ...failed]).toContain('UPSTREAM_UNAVAILABLE');
    const attackerCalls = gw.simulator.requests.filter((r) => r.path.startsWith(`/wallets/${stalling}`) || r.path.startsWith(`/wallets/${failing}`));
    expect(attackerCalls.length).toBeLessThan(80);
    const held = await gw.gql(readWallet, { id: failing }, { token: attacker });
    expect(held.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'NOT_SENT' });
    expect(held.body.errors?.[0]?.message).toMatch(/this caller/);

    // Operators see it: a counter, and a warning naming the caller by a hash of its token only.
    expect(await gw.app.metrics.exposition()).toMatch(/^clumio_callers_held_back_total [1-9]/m);
    const warnings = logs.lines().filter((l) => l.msg === 'clumio calls of one caller held back');
    expect(warnings.length).toBeGreaterThan(0);
    expect(logs.raw()).not.toContain(attacker);
    expect(logs.lines().some((l) => l.msg === 'clumio circuit breaker')).toBe(false);
  });
});

describe('Clumio failing for everyone', () => {
  let gw: TestGateway;
  afterAll(() => gw?.close());

  it('opens the shared breaker once several callers fail, and readiness reports it', async () => {
    gw = await startGateway({ env: { CLUMIO_BREAKER_COOLDOWN_MS: '60000', CLUMIO_MAX_RETRIES: '0' } });
    const callers = Array.from({ length: 5 }, (_, i) => `everyone-token.${i}`);
    const wallets = callers.map((token) => seedWallets(gw.simulator, token, 1)[0]!);
    gw.simulator.inject({ kind: 'status', status: 500, times: Infinity });
    // Rounds of one read per caller, until the shared breaker opens (5 callers x 5 failures at most).
    for (let round = 0; round < 5 && (await readiness(gw)).status === 200; round++) {
      await Promise.all(callers.map((token, i) => gw.gql(readWallet, { id: wallets[i]! }, { token })));
    }
    expect(await readiness(gw)).toEqual({ status: 503, body: { ready: false, breaker: 'open' } });

    gw.simulator.clearRequests();
    const newcomer = seedWallets(gw.simulator, 'newcomer-token.z', 1)[0]!;
    const { body } = await gw.gql(readWallet, { id: newcomer }, { token: 'newcomer-token.z' });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcome: 'NOT_SENT' });
    expect(body.errors?.[0]?.message).toMatch(/Clumio is failing/);
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('once open, lets one caller whose own calls fail probe without reopening it for everyone', async () => {
    const probed = await startGateway({ env: { CLUMIO_BREAKER_COOLDOWN_MS: '300', CLUMIO_MAX_RETRIES: '0' } });
    try {
      const callers = Array.from({ length: 5 }, (_, i) => `probe-token.${i}`);
      const wallets = callers.map((token) => seedWallets(probed.simulator, token, 1)[0]!);
      probed.simulator.inject({ kind: 'status', status: 500, times: Infinity });
      for (let round = 0; round < 5 && (await readiness(probed)).status === 200; round++) {
        await Promise.all(callers.map((token, i) => probed.gql(readWallet, { id: wallets[i]! }, { token })));
      }
      expect((await readiness(probed)).body).toEqual({ ready: false, breaker: 'open' });
      // Clumio recovers, except for one caller's wallet, which that caller reads as soon as it may.
      const attacker = 'probe-attacker.x';
      const failing = seedWallets(probed.simulator, attacker, 1)[0]!;
      probed.simulator.clearFaults();
      probed.simulator.inject({ kind: 'status', status: 500, times: Infinity, match: { pathPrefix: `/wallets/${failing}` } });
      await until(async () => ((await readiness(probed)).body as { breaker: string }).breaker === 'half-open');
      const { body: failed } = await probed.gql(readWallet, { id: failing }, { token: attacker });
      expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
      // Its failed probe did not reopen the breaker: the next caller's read goes through and closes it.
      const newcomer = 'probe-newcomer.y';
      const id = seedWallets(probed.simulator, newcomer, 1)[0]!;
      expect((await probed.gql(readWallet, { id }, { token: newcomer })).body).toEqual({ data: { wallet: { id } } });
      expect((await readiness(probed)).body).toEqual({ ready: true, breaker: 'closed' });
    } finally {
      await probed.close();
    }
  });

  it('opens the shared breaker when Clumio cannot be reached, even from one caller', async () => {
    const down = await startGateway({ env: { CLUMIO_BREAKER_COOLDOWN_MS: '60000', CLUMIO_RETRY_BASE_DELAY_MS: '1' } });
    try {
      await down.simulator.close();
      for (let i = 0; i < 5 && (await readiness(down)).status === 200; i++) {
        const { body } = await down.gql(readWallet, { id: '00000000-0000-4000-8000-000000000000' });
        expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      }
      expect(await readiness(down)).toEqual({ status: 503, body: { ready: false, breaker: 'open' } });
    } finally {
      await down.close();
    }
  });
});

describe("a caller's key on the way to Clumio", () => {
  it('is not hashed while calls succeed, and is once a call of the caller fails', async () => {
    const gw = await startGateway({ env: { CLUMIO_RETRY_BASE_DELAY_MS: '1' } });
    // Counts reads of the key, each answered as before.
    const keyReads = vi.spyOn(Caller.prototype, 'key', 'get');
    try {
      const [first, second, failing] = seedWallets(gw.simulator, 'key-reads-token.a1', 3) as [string, string, string];
      const entities = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Wallet { id } } }`;
      const { body: one } = await gw.gql(readWallet, { id: first }, { token: 'key-reads-token.a1' });
      const { body: many } = await gw.gql(entities, { representations: [first, second, first].map((id) => ({ __typename: 'Wallet', id })) }, { token: 'key-reads-token.a1' });
      expect(one.errors).toBeUndefined();
      expect(many.errors).toBeUndefined();
      expect(keyReads).not.toHaveBeenCalled();

      gw.simulator.inject({ kind: 'status', status: 500, times: Infinity, match: { pathPrefix: `/wallets/${failing}` } });
      const { body: failed } = await gw.gql(readWallet, { id: failing }, { token: 'key-reads-token.a1' });
      expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
      expect(keyReads).toHaveBeenCalled();
    } finally {
      keyReads.mockRestore();
      await gw.close();
    }
  });
});

describe('what the breakers keep', () => {
  it('tracks at most maxCallers failing callers, forgetting the oldest, and forgets a caller on its first success', () => {
    const callers = createCallerBreakers({ failureThreshold: 2, cooldownMs: 1_000, maxCallers: 3 });
    for (let i = 0; i < 100; i++) callers.settle({ key: `caller-${i}` }, 'failure', false);
    expect(callers.tracked).toBe(3);
    callers.settle({ key: 'caller-99' }, 'failure', false);
    expect(() => callers.check({ key: 'caller-99' })).toThrow(/this caller/);
    callers.settle({ key: 'caller-98' }, 'success', false);
    expect(callers.tracked).toBe(2);
  });

  it("asks for a caller's key (a hash of its token) only once a breaker must remember or compare callers", () => {
    let reads = 0;
    const healthy = {
      get key() {
        reads++;
        return 'healthy';
      },
    };
    const callers = createCallerBreakers({ failureThreshold: 2, cooldownMs: 1_000, maxCallers: 3 });
    const breaker = createBreaker(defaultBreakerOptions);
    for (let i = 0; i < 3; i++) {
      callers.check(healthy);
      breaker.check();
      const callerProbe = callers.admit(healthy);
      const probe = breaker.admit(healthy);
      callers.settle(healthy, 'success', callerProbe);
      breaker.settle('success', probe, healthy);
    }
    expect(reads).toBe(0);
    // Another caller failing: callers are now told apart.
    callers.settle({ key: 'failing' }, 'failure', false);
    callers.check(healthy);
    expect(reads).toBe(1);
    // A failure of its own is remembered by its key.
    breaker.settle('failure', false, healthy);
    expect(reads).toBe(2);
  });

  it("makes a caller's key from its token, a hash that never holds the token", () => {
    const authorization = `Bearer ${'t'.repeat(40)}`;
    const caller = new Caller(authorization);
    // The first 22 characters of the header's SHA-256 in base64url (`openssl dgst -sha256 -binary | base64`).
    expect(caller.key).toBe('ccDQe66FNn0AqftNYx_lDU');
    expect(caller.key).not.toContain('tttt');
    expect(caller.key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(callerKey(`Bearer ${'u'.repeat(40)}`)).not.toBe(caller.key);
  });

  it('remembers at most as many failing callers as it must tell apart', () => {
    let t = 0;
    const window = createFailureWindow(1_000, 3, () => t);
    for (let i = 0; i < 1_000; i++) window.record(true, `caller-${i}`);
    expect(window.stats()).toEqual({ calls: 1_000, failures: 1_000, failingCallers: 3 });
    t = 1_500;
    expect(window.stats()).toEqual({ calls: 0, failures: 0, failingCallers: 0 });
  });
});
