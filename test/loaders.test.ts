import { createServer } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createSimulator } from '../src/simulator/index.js';
import { startCountingProxy } from './support/counting-proxy.js';
import { closeServer, listen, startGateway, useGateway } from './support/gateway.js';
import { calls, seedWallets } from './support/wallets.js';

const gateway = useGateway();
let orgCount = 0;

function newOrg(count: number): { token: string; ids: string[] } {
  const token = `loaders-org-${++orgCount}`;
  return { token, ids: seedWallets(gateway.simulator, token, count) };
}

const gets = () => calls(gateway.simulator, (r) => r.method === 'GET' && r.path !== '/wallets');
const lists = () => calls(gateway.simulator, (r) => r.path === '/wallets');

beforeEach(() => {
  gateway.simulator.setLatency(0);
});

describe('one operation, one read per wallet', () => {
  it('reads a wallet asked for through aliases and fragments once', async () => {
    const { token, ids } = newOrg(2);
    const response = await gateway.gql(
      /* GraphQL */ `
        query Same($id: ID!) {
          a: wallet(id: $id) { id state }
          b: wallet(id: $id) { ...Details }
          c: wallet(id: $id) { id ... on Wallet { accountNativeId } }
          wallet(id: $id) { id }
        }
        fragment Details on Wallet { id awsRegion actions { canDelete } }
      `,
      { id: ids[0] },
      { token },
    );
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as Record<string, { id: string }>;
    expect(Object.values(data).map((w) => w.id)).toEqual([ids[0], ids[0], ids[0], ids[0]]);
    expect(gets()).toEqual([`GET /wallets/${ids[0]}`]);
  });

  it('reads each distinct wallet once however often and in whatever order it is asked for', async () => {
    const { token, ids } = newOrg(3);
    const order = [ids[0], ids[1], ids[0], ids[2], ids[1], ids[0]];
    const query = `{ ${order.map((id, i) => `w${i}: wallet(id: "${id}") { id }`).join(' ')} }`;
    const response = await gateway.gql(query, {}, { token });
    expect(Object.values(response.body.data as Record<string, { id: string }>).map((w) => w.id)).toEqual(order);
    expect(gets().sort()).toEqual(ids.map((id) => `GET /wallets/${id}`).sort());
  });

  it('reads a missing wallet once too, and answers null wherever it is asked for', async () => {
    const response = await gateway.gql('{ a: wallet(id: "gone-1") { id } b: wallet(id: "gone-1") { state } }');
    expect(response.body).toEqual({ data: { a: null, b: null } });
    expect(gets()).toEqual(['GET /wallets/gone-1']);
  });

  it('needs no read for a wallet the same operation lists', async () => {
    const { token, ids } = newOrg(10);
    const response = await gateway.gql(
      'query($id: ID!) { wallets(first: 5) { nodes { id } } wallet(id: $id) { id state } }',
      { id: ids[3] },
      { token },
    );
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data as { wallet: { id: string } }).wallet.id).toBe(ids[3]);
    expect(lists()).toEqual(['GET /wallets']);
    expect(gets()).toEqual([]);
  });

  it('still reads a wallet the list did not bring, once', async () => {
    const { token, ids } = newOrg(10);
    const response = await gateway.gql(
      'query($a: ID!, $b: ID!) { wallet(id: $a) { id } wallets(first: 5) { nodes { id } } other: wallet(id: $b) { id } }',
      { a: ids[8], b: ids[1] },
      { token },
    );
    expect(response.body.errors).toBeUndefined();
    expect(lists()).toEqual(['GET /wallets']);
    expect(gets()).toEqual([`GET /wallets/${ids[8]}`]);
  });
});

describe('loaders belong to one request', () => {
  it('reads the same wallet again for each of two requests of the same caller', async () => {
    const { token, ids } = newOrg(1);
    const query = 'query($id: ID!) { wallet(id: $id) { id } }';
    await Promise.all([gateway.gql(query, { id: ids[0] }, { token }), gateway.gql(query, { id: ids[0] }, { token })]);
    expect(gets()).toEqual([`GET /wallets/${ids[0]}`, `GET /wallets/${ids[0]}`]);
  });

  it("never serves one caller's wallet from another caller's request", async () => {
    const owner = newOrg(1);
    const stranger = newOrg(0);
    const id = owner.ids[0]!;
    const query = 'query($id: ID!) { wallet(id: $id) { id token } }';
    const [mine, theirs] = await Promise.all([
      gateway.gql(query, { id }, { token: owner.token }),
      gateway.gql(query, { id }, { token: stranger.token }),
    ]);
    expect((mine.body.data as { wallet: { id: string } }).wallet.id).toBe(id);
    expect(theirs.body).toEqual({ data: { wallet: null } });
    const seen = gateway.simulator.requests.map((r) => r.headers.authorization).sort();
    expect(seen).toEqual([`Bearer ${owner.token}`, `Bearer ${stranger.token}`].sort());
  });
});

describe('upstream calls of one operation', () => {
  it('keeps at most UPSTREAM_CONCURRENCY_PER_OPERATION calls in flight at once', async () => {
    const simulator = createSimulator({ latencyMs: 40 });
    const proxy = await startCountingProxy(await simulator.listen(0, '127.0.0.1'));
    const config = loadConfig({
      NODE_ENV: 'test',
      CLUMIO_API_BASE_URL: proxy.url,
      LOG_LEVEL: 'silent',
      UPSTREAM_CONCURRENCY_PER_OPERATION: '3',
    });
    const app = createApp({ config, clumioBaseUrl: proxy.url });
    const server = createServer(app.yoga.requestListener);
    const url = `${await listen(server)}/graphql`;
    try {
      const token = 'loaders-concurrency';
      const ids = seedWallets(simulator, token, 12);
      const query = `{ ${ids.map((id, i) => `w${i}: wallet(id: "${id}") { id }`).join(' ')} }`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(Object.values(body.data).map((w) => w.id)).toEqual(ids);
      expect(simulator.requests).toHaveLength(12);
      expect(proxy.maxInFlight).toBeLessThanOrEqual(3);
      expect(proxy.maxInFlight).toBeGreaterThan(1);
    } finally {
      await closeServer(server);
      await app.close();
      await proxy.close();
      await simulator.close();
    }
  });

  it('stops at UPSTREAM_CALL_BUDGET calls and says so on the fields past it', async () => {
    const budgeted = await startGateway({ env: { UPSTREAM_CALL_BUDGET: '3' } });
    try {
      const token = 'loaders-budget';
      const ids = seedWallets(budgeted.simulator, token, 5);
      const query = `{ ${ids.map((id, i) => `w${i}: wallet(id: "${id}") { id }`).join(' ')} }`;
      const response = await budgeted.gql(query, {}, { token });
      expect(budgeted.simulator.requests).toHaveLength(3);
      const codes = response.body.errors?.map((e) => e.extensions?.code);
      expect(codes).toEqual(['UPSTREAM_BUDGET_EXCEEDED', 'UPSTREAM_BUDGET_EXCEEDED']);
      expect(Object.values(response.body.data as Record<string, unknown>).filter((w) => w !== null)).toHaveLength(3);
    } finally {
      await budgeted.close();
    }
  });
});
