import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAccountsSubgraph, type AccountsSubgraph } from './support/accounts-subgraph.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { startRouter, type Router } from './support/router.js';
import { fencedBlocks, operationsOf, readDoc } from './support/markdown.js';
import { calls } from './support/wallets.js';

const token = 'supergraph-caller-token';
const production = '111111111111';
const staging = '222222222222';

let gateway: TestGateway;
let accounts: AccountsSubgraph;
let router: Router;
let walletSdl: string;
const walletsOf: Record<string, string[]> = { [production]: [], [staging]: [] };

function put(account: string, region: string): string {
  const doc = gateway.simulator.putWallet(token, { account_native_id: account, aws_region: region, state: 'Waiting', key_errors: {} });
  walletsOf[account]!.push(String(doc.id));
  return String(doc.id);
}

const auth = { authorization: `Bearer ${token}` };
const walletFetches = () => router.fetches.filter((f) => f.subgraph === 'wallets');
const accountFetches = () => router.fetches.filter((f) => f.subgraph === 'accounts');
const representationsOf = (fetch: { variables: Record<string, unknown> | undefined }) =>
  (fetch.variables?.representations ?? []) as Array<{ __typename: string; id: string }>;

beforeAll(async () => {
  gateway = await startGateway();
  gateway.simulator.addOrganization(token, { seed: false });
  for (const region of ['us-west-2', 'us-east-1', 'eu-central-1']) put(production, region);
  for (const region of ['us-west-2', 'ap-southeast-2']) put(staging, region);
  accounts = await startAccountsSubgraph([
    { id: production, name: 'Production', walletIds: walletsOf[production]! },
    { id: staging, name: 'Staging', walletIds: walletsOf[staging]! },
  ]);
  const sdl = await gateway.gql<{ _service: { sdl: string } }>('{ _service { sdl } }', {}, { token: null });
  walletSdl = sdl.body.data!._service.sdl;
  router = await startRouter([
    { name: 'wallets', url: gateway.url, typeDefs: walletSdl },
    { name: 'accounts', url: accounts.url, typeDefs: accounts.typeDefs },
  ]);
});

afterAll(async () => {
  await router?.close();
  await accounts?.close();
  await gateway?.close();
});

beforeEach(() => {
  gateway.simulator.clearFaults();
  gateway.simulator.clearRequests();
  router.fetches.length = 0;
  accounts.requests.length = 0;
});

describe('the supergraph', () => {
  it('composes the wallet subgraph, from its own _service SDL, with an accounts subgraph', () => {
    expect(router.supergraphSdl).toMatch(/type Wallet\b[^{]*@join__type\(graph: WALLETS, key: "id"\)/);
    expect(router.supergraphSdl).toMatch(/type AwsAccount\b[^{]*@join__type\(graph: ACCOUNTS, key: "id"\)/);
    expect(router.supergraphSdl).toMatch(/@join__type\(graph: WALLETS, key: "id", resolvable: false\)/);
  });

  it('composes next to a subgraph with its own Link, a Relay PageInfo and an Int64 scalar', () => {
    const neighbour = /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
      scalar Int64
      type Query { documents(first: Int, after: String): DocumentConnection! }
      type DocumentConnection { nodes: [Document!]! pageInfo: PageInfo! }
      type Document @key(fields: "id") { id: ID! size: Int64 links: [Link!]! }
      type Link { url: String! title: String }
      type PageInfo @shareable { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
    `;
    const composition = composeServices([
      { name: 'wallets', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(walletSdl) },
      { name: 'documents', url: 'http://127.0.0.1:2/graphql', typeDefs: parse(neighbour) },
    ]);
    expect(composition.errors?.map((e) => e.message)).toBeUndefined();
  });

  it('resolves the wallets of every account through one _entities call, one Clumio read per wallet, with the caller token', async () => {
    const response = await router.query<{ awsAccounts: Array<{ id: string; name: string; wallets: Array<{ id: string; state: string; accountNativeId: string }> }> }>(
      '{ awsAccounts { id name wallets { id state accountNativeId awsRegion } } }',
      {},
      auth,
    );
    expect(response.body.errors).toBeUndefined();
    const answer = response.body.data!.awsAccounts;
    expect(answer.map((a) => [a.name, a.wallets.map((w) => w.id)])).toEqual([
      ['Production', walletsOf[production]],
      ['Staging', walletsOf[staging]],
    ]);
    expect(answer.every((a) => a.wallets.every((w) => w.state === 'WAITING' && w.accountNativeId === a.id))).toBe(true);

    const all = [...walletsOf[production]!, ...walletsOf[staging]!];
    expect(walletFetches()).toHaveLength(1);
    expect(walletFetches()[0]!.query).toContain('_entities');
    expect(calls(gateway.simulator).sort()).toEqual(all.map((id) => `GET /wallets/${id}`).sort());
    expect(gateway.simulator.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it('reads a wallet asked for from two places of one query once', async () => {
    const response = await router.query<{ all: Array<{ wallets: Array<{ id: string }> }>; one: { wallets: Array<{ id: string }> } }>(
      'query($id: ID!) { all: awsAccounts { wallets { id state } } one: awsAccount(id: $id) { wallets { id state } } }',
      { id: production },
      auth,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.one.wallets.map((w) => w.id)).toEqual(walletsOf[production]);
    const all = [...walletsOf[production]!, ...walletsOf[staging]!];
    expect(calls(gateway.simulator).sort()).toEqual(all.map((id) => `GET /wallets/${id}`).sort());
    expect(walletFetches()).toHaveLength(1);
  });

  it('names the AWS account of each wallet from the accounts subgraph, asking it once per account', async () => {
    const response = await router.query<{ wallets: { nodes: Array<{ id: string; awsAccount: { id: string; name: string } }> } }>(
      '{ wallets(first: 10) { nodes { id awsAccount { id name } } } }',
      {},
      auth,
    );
    expect(response.body.errors).toBeUndefined();
    const names = response.body.data!.wallets.nodes.map((w) => w.awsAccount.name);
    expect(names).toEqual(['Production', 'Production', 'Production', 'Staging', 'Staging']);
    expect(calls(gateway.simulator)).toEqual(['GET /wallets']);
    expect(accountFetches()).toHaveLength(1);
    expect(representationsOf(accountFetches()[0]!).map((r) => r.id).sort()).toEqual([production, staging]);
  });

  it('goes from a wallet to its account and back to the account wallets', async () => {
    const id = walletsOf[staging]![1]!;
    const response = await router.query<{ wallet: { awsAccount: { name: string; wallets: Array<{ id: string; awsRegion: string }> } } }>(
      'query($id: ID!) { wallet(id: $id) { id awsAccount { name wallets { id awsRegion } } } }',
      { id },
      auth,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.wallet.awsAccount).toEqual({
      name: 'Staging',
      wallets: [
        { id: walletsOf[staging]![0], awsRegion: 'us-west-2' },
        { id, awsRegion: 'ap-southeast-2' },
      ],
    });
    expect(walletFetches().map((f) => (f.query.includes('_entities') ? 'entities' : 'root'))).toEqual(['root', 'entities']);
    expect(gateway.simulator.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it('passes the organizational unit and the request id to Clumio, and the Clumio token to the wallet subgraph only', async () => {
    // Clumio keeps a wallet to the unit it was created in: this one is the finance unit's, in an
    // organization of its own so the other tests' lists stay as they are.
    const financeToken = 'supergraph-finance-caller-token';
    gateway.simulator.addOrganization(financeToken, { seed: false });
    const id = String(gateway.simulator.putWallet(financeToken, { account_native_id: production, aws_region: 'eu-west-1', state: 'Waiting' }, { organizationalUnit: 'ou-finance' }).id);
    const response = await router.query<{ wallet: { id: string; awsAccount: { name: string } } }>(
      'query($id: ID!) { wallet(id: $id) { id state awsAccount { name } } }',
      { id },
      { authorization: `Bearer ${financeToken}`, 'x-clumio-organizationalunit-context': 'ou-finance', 'x-request-id': 'req-supergraph-1' },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.wallet).toMatchObject({ id, awsAccount: { name: 'Production' } });
    expect(gateway.simulator.requests.length).toBeGreaterThan(0);
    for (const request of gateway.simulator.requests) {
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${financeToken}`,
        'x-clumio-organizationalunit-context': 'ou-finance',
        'x-request-id': 'req-supergraph-1',
      });
    }
    expect(accounts.requests.length).toBeGreaterThan(0);
    expect(accounts.requests.every((r) => r.authorization === null)).toBe(true);
  });

  it('creates a wallet through the router with the caller token', async () => {
    const response = await router.query<{ createWallet: { wallet: { state: string; awsAccount: { name: string } } } }>(
      'mutation { createWallet(input: { accountNativeId: "222222222222", awsRegion: "eu-west-1" }) { wallet { state awsAccount { name } } } }',
      {},
      auth,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.createWallet.wallet).toEqual({ state: 'WAITING', awsAccount: { name: 'Staging' } });
    expect(gateway.simulator.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([['POST', '/wallets', `Bearer ${token}`]]);
  });

  it('answers wallet ids the accounts subgraph knows without calling the wallet subgraph', async () => {
    const response = await router.query<{ awsAccounts: Array<{ wallets: Array<{ id: string }> }> }>('{ awsAccounts { wallets { id } } }', {}, auth);
    expect(response.body.data!.awsAccounts.map((a) => a.wallets.map((w) => w.id))).toEqual([walletsOf[production], walletsOf[staging]]);
    expect(walletFetches()).toEqual([]);
    expect(calls(gateway.simulator)).toEqual([]);
  });

  it("runs docs/federation.md's supergraph queries through the router", async () => {
    const queries = fencedBlocks(readDoc('docs/federation.md'), 'graphql').flatMap(operationsOf);
    expect(queries.length).toBeGreaterThan(1);
    for (const query of queries) {
      const response = await router.query(query, {}, auth);
      expect(response.body.errors, query).toBeUndefined();
    }
  });

  it('passes the wallet subgraph error codes through, and sends nothing to Clumio without a token', async () => {
    const response = await router.query('{ awsAccounts { name wallets { id state } } }');
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'wallets' });
    expect(calls(gateway.simulator)).toEqual([]);
  });
});
