import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';
import { until } from './support/wait.js';

// A full collection before each memory reading, when the runtime lets us ask for one.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;

function heapMb(): { heap: number; rss: number } {
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed / 1024 / 1024, rss: rss / 1024 / 1024 };
}

const readWallet = 'query($id: ID!) { wallet(id: $id) { id accountNativeId } }';
const readId = 'query($id: ID!) { wallet(id: $id) { id } }';
const listWallets = '{ wallets(first: 10) { nodes { id accountNativeId } } }';
const refresh = 'mutation($id: ID!) { refreshWallet(id: $id) { wallet { id accountNativeId } } }';

describe('load: many callers with their own tokens at once', () => {
  const callers = 50;
  const rounds = 40;
  const walletsPerCaller = 4;
  let gw: TestGateway;
  // token -> its wallets (id -> account), and wallet id -> owner token
  const wallets = new Map<string, Map<string, string>>();
  const owner = new Map<string, string>();

  beforeAll(async () => {
    gw = await startGateway();
    for (let c = 0; c < callers; c++) {
      const token = `load-caller-${c}.${'x'.repeat(40)}`;
      gw.simulator.addOrganization(token, { seed: false });
      const mine = new Map<string, string>();
      for (let w = 0; w < walletsPerCaller; w++) {
        const account = String(100_000_000_000 + c * 100 + w);
        const id = String(gw.simulator.putWallet(token, { account_native_id: account, aws_region: 'us-west-2', state: 'Enabled' }).id);
        mine.set(id, account);
        owner.set(id, token);
      }
      wallets.set(token, mine);
    }
  });
  afterAll(() => gw.close());

  it(`answers ${callers * rounds} operations from ${callers} concurrent callers, each with its own wallets, and every upstream call carries the right token`, async () => {
    gw.simulator.clearRequests();
    const before = heapMb();
    const started = performance.now();
    let operations = 0;
    let answered = 0;
    const problems: string[] = [];

    await Promise.all(
      [...wallets].map(async ([token, mine]) => {
        const ids = [...mine.keys()];
        for (let r = 0; r < rounds; r++) {
          const id = ids[r % ids.length]!;
          operations++;
          if (r % 10 === 9) {
            const { body } = await gw.gql<{ wallets: { nodes: Array<{ id: string; accountNativeId: string }> } }>(listWallets, {}, { token });
            const got = body.data?.wallets.nodes.map((n) => `${n.id}=${n.accountNativeId}`).sort();
            const want = [...mine].map(([i, a]) => `${i}=${a}`).sort();
            if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`list for ${token.slice(0, 14)}: ${JSON.stringify(body).slice(0, 200)}`);
            else answered++;
          } else {
            const query = r % 10 === 4 ? refresh : readWallet;
            const { body } = await gw.gql<{ wallet?: { id: string; accountNativeId: string }; refreshWallet?: { wallet: { id: string; accountNativeId: string } } }>(
              query,
              { id },
              { token },
            );
            const wallet = body.data?.wallet ?? body.data?.refreshWallet?.wallet;
            if (body.errors || wallet?.id !== id || wallet.accountNativeId !== mine.get(id)) {
              problems.push(`${query === refresh ? 'refresh' : 'read'} ${id}: ${JSON.stringify(body).slice(0, 200)}`);
            } else {
              answered++;
            }
          }
        }
      }),
    );

    const seconds = (performance.now() - started) / 1000;
    const after = heapMb();
    const upstream = gw.simulator.requests;
    const wrongToken = upstream.filter((request) => {
      const id = /^\/wallets\/([^/?]+)/.exec(request.path)?.[1];
      if (id !== undefined) return request.headers.authorization !== `Bearer ${owner.get(decodeURIComponent(id))}`;
      return !wallets.has(request.headers.authorization?.replace(/^Bearer /, '') ?? '');
    });

    console.log(
      [
        `load: ${operations} operations from ${callers} callers in ${seconds.toFixed(1)} s (${Math.round(operations / seconds)}/s),`,
        `${problems.length} wrong or failed answers, ${upstream.length} upstream calls, ${wrongToken.length} with the wrong token;`,
        `heap ${before.heap.toFixed(1)} -> ${after.heap.toFixed(1)} MB (${(after.heap - before.heap).toFixed(1)} MB growth${gc ? ', after gc' : ''}),`,
        `rss ${before.rss.toFixed(0)} -> ${after.rss.toFixed(0)} MB`,
      ].join(' '),
    );
    expect(problems).toEqual([]);
    // Every operation answered, and answered right.
    expect(answered).toBe(callers * rounds);
    // One upstream call per operation: reads are not retried or repeated when all goes well.
    expect(upstream).toHaveLength(callers * rounds);
    expect(wrongToken).toEqual([]);
    // Loose: only catches a leak of whole responses per request, not allocator noise.
    expect(after.heap - before.heap).toBeLessThan(100);
    expect(gw.app.clumio.health()).toEqual({ breaker: 'closed', inFlight: 0, queued: 0 });
  }, 120_000);
});

describe('fairness and the cap on calls in flight towards Clumio', () => {
  let gw: TestGateway;
  const flooder = 'flooding-caller.token';
  const polite = 'polite-caller.token';
  let floodIds: string[];
  let politeId: string;

  beforeAll(async () => {
    gw = await startGateway({ env: { CLUMIO_MAX_IN_FLIGHT: '4', CLUMIO_MAX_IN_FLIGHT_PER_CALLER: '2' } });
    gw.simulator.addOrganization(flooder, { seed: false });
    gw.simulator.addOrganization(polite, { seed: false });
    floodIds = Array.from({ length: 10 }, () => String(gw.simulator.putWallet(flooder, { state: 'Enabled' }).id));
    politeId = String(gw.simulator.putWallet(polite, { state: 'Enabled' }).id);
  });
  afterAll(() => gw.close());

  it('one caller’s flood of slow calls holds only its share of slots: another caller is served while the flood waits', async () => {
    gw.simulator.clearRequests();
    for (const id of floodIds) gw.simulator.inject({ kind: 'stall', ms: 800, match: { pathPrefix: `/wallets/${id}` } });
    let floodDone = 0;
    const flood = floodIds.map((id) =>
      gw.gql(readId, { id }, { token: flooder }).finally(() => {
        floodDone++;
      }),
    );
    // The flooder reaches its share (2 calls at Clumio); its other 8 wait in the gateway's queue.
    await until(() => gw.simulator.requests.length === 2 && gw.app.clumio.health().queued === 8);

    const answer = await gw.gql(readId, { id: politeId }, { token: polite });
    expect(answer.body.data).toEqual({ wallet: { id: politeId } });
    expect(floodDone).toBe(0);

    // While the flood drains, never more than the flooder's share at Clumio at once.
    let mostInFlight = 0;
    const sampler = setInterval(() => {
      mostInFlight = Math.max(mostInFlight, gw.app.clumio.health().inFlight);
    }, 5);
    const results = await Promise.all(flood).finally(() => clearInterval(sampler));
    for (const [i, result] of results.entries()) expect(result.body.data).toEqual({ wallet: { id: floodIds[i] } });
    expect(mostInFlight).toBe(2);
    // Every call went out, but in turns.
    expect(gw.simulator.requests.filter((r) => r.headers.authorization === `Bearer ${flooder}`)).toHaveLength(10);
  }, 30_000);

  it('a burst from many callers is queued at the global cap instead of all going out at once', async () => {
    gw.simulator.clearRequests();
    const tokens = Array.from({ length: 8 }, (_, i) => `burst-caller-${i}.token`);
    const ids = tokens.map((token) => {
      gw.simulator.addOrganization(token, { seed: false });
      const id = String(gw.simulator.putWallet(token, { state: 'Enabled' }).id);
      gw.simulator.inject({ kind: 'stall', ms: 1_000, match: { pathPrefix: `/wallets/${id}` } });
      return id;
    });
    const burst = tokens.map((token, i) => gw.gql(readId, { id: ids[i] }, { token }));
    // Admitted calls reach Clumio a moment after the scheduler counts them.
    await until(() => gw.app.clumio.health().inFlight === 4 && gw.app.clumio.health().queued === 4 && gw.simulator.requests.length === 4);
    // While the first four are stalled upstream, the other four stay queued.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gw.simulator.requests).toHaveLength(4);
    expect(gw.app.clumio.health().queued).toBe(4);
    const results = await Promise.all(burst);
    for (const [i, result] of results.entries()) expect(result.body.data).toEqual({ wallet: { id: ids[i] } });
    expect(gw.simulator.requests).toHaveLength(8);
  }, 30_000);
});
