import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/raw-http.js';
import { version } from '../src/version.js';

const walletsQuery = '{ wallets(first: 100) { nodes { id accountNativeId } } }';

describe("the caller's credentials", () => {
  let gw: TestGateway;
  const alice = 'alice.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
  const bob = 'bob.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl';
  let aliceWallet: string;
  let bobWallet: string;

  beforeAll(async () => {
    gw = await startGateway({ simulator: { latencyMs: 5 } });
    gw.simulator.addOrganization(alice, { seed: false });
    gw.simulator.addOrganization(bob, { seed: false });
    aliceWallet = String(gw.simulator.putWallet(alice, { state: 'Enabled', account_native_id: '111111111111' }).id);
    bobWallet = String(gw.simulator.putWallet(bob, { state: 'Enabled', account_native_id: '222222222222' }).id);
  });
  afterAll(() => gw.close());

  it('reach Clumio exactly as the caller sent them, with the versioned Accept header', async () => {
    gw.simulator.clearRequests();
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: aliceWallet }, { token: alice });
    expect(body.errors).toBeUndefined();
    expect(gw.simulator.requests).toHaveLength(1);
    const request = gw.simulator.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`/wallets/${aliceWallet}`);
    expect(request.headers.authorization).toBe(`Bearer ${alice}`);
    expect(request.headers.accept).toBe('application/api.clumio.wallets=v1+json');
    expect(request.headers['x-clumio-organizationalunit-context']).toBeUndefined();
  });

  it('name the gateway and its version to Clumio, as its SDKs name themselves', async () => {
    gw.simulator.clearRequests();
    await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: aliceWallet }, { token: alice });
    expect(gw.simulator.requests[0]!.headers).toMatchObject({
      'user-agent': `clumio-wallet-gateway/${version}`,
      'x-clumio-api-client': 'clumio-wallet-gateway',
      'x-clumio-sdk-version': `clumio-wallet-gateway:${version}`,
    });
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['bearer', 'bearer ', 'scheme-lower-case'],
    ['BEARER', 'BEARER ', 'scheme-upper-case'],
    ['bEaReR with two spaces', 'bEaReR  ', 'scheme-two-spaces'],
  ])('accept the scheme spelled %s and forward it to Clumio as "Bearer <token>"', async (_name, scheme, token) => {
    gw.simulator.clearRequests();
    gw.simulator.addOrganization(token, { seed: false });
    const { body } = await gw.gql(walletsQuery, {}, { token: null, headers: { authorization: `${scheme}${token}` } });
    expect(body).toEqual({ data: { wallets: { nodes: [] } } });
    expect(gw.simulator.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${token}`]);
  });

  it('take an empty organizational unit header as the global unit, as the SDKs send it, and send none upstream', async () => {
    gw.simulator.clearRequests();
    const { body } = await gw.gql(walletsQuery, {}, { token: alice, headers: { 'x-clumio-organizationalunit-context': '' } });
    expect(body).toEqual({ data: { wallets: { nodes: [{ id: aliceWallet, accountNativeId: '111111111111' }] } } });
    expect(gw.simulator.requests).toHaveLength(1);
    expect(gw.simulator.requests[0]!.headers['x-clumio-organizationalunit-context']).toBeUndefined();
  });

  it('keep a wallet created in an organizational unit to that unit: listed there, not in another', async () => {
    const unit = (ou: string) => ({ token: alice, headers: { 'x-clumio-organizationalunit-context': ou } });
    const created = await gw.gql<{ createWallet: { wallet: { id: string } } }>(
      'mutation { createWallet(input: { accountNativeId: "616161616161", awsRegion: "us-east-1" }) { wallet { id } } }',
      {},
      unit('ou-created-in'),
    );
    const id = created.body.data!.createWallet.wallet.id;
    const listIn = async (ou: string) => (await gw.gql<{ wallets: { nodes: Array<{ id: string }> } }>(walletsQuery, {}, unit(ou))).body.data!.wallets.nodes.map((n) => n.id);
    expect(await listIn('ou-created-in')).toEqual([id]);
    expect(await listIn('ou-another')).toEqual([]);
    expect((await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id }, unit('ou-another'))).body.data).toEqual({ wallet: null });
    await gw.gql('mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }', { id }, unit('ou-created-in'));
  });

  it('pass the organizational unit header through when the caller sends it', async () => {
    gw.simulator.clearRequests();
    await gw.gql(walletsQuery, {}, { token: alice, headers: { 'x-clumio-organizationalunit-context': 'ou-7f3a' } });
    expect(gw.simulator.requests[0]?.headers['x-clumio-organizationalunit-context']).toBe('ou-7f3a');
  });

  it('refresh a wallet with a bodiless POST carrying the caller token', async () => {
    gw.simulator.clearRequests();
    const { body } = await gw.gql('mutation($id: ID!) { refreshWallet(id: $id) { wallet { id state } } }', { id: bobWallet }, { token: bob });
    expect(body).toEqual({ data: { refreshWallet: { wallet: { id: bobWallet, state: 'ENABLED' } } } });
    const [request] = gw.simulator.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/wallets/${bobWallet}/_refresh`, body: '' });
    expect(request?.headers.authorization).toBe(`Bearer ${bob}`);
    expect(request?.headers['content-type']).toBeUndefined();
  });

  it('keep two concurrent callers apart: each sees only its own wallets and its own token goes upstream', async () => {
    gw.simulator.clearRequests();
    const rounds = 20;
    const results = await Promise.all(
      Array.from({ length: rounds }, (_, i) => {
        const token = i % 2 === 0 ? alice : bob;
        return gw.gql<{ wallets: { nodes: Array<{ id: string }> } }>(walletsQuery, {}, { token }).then((r) => ({ token, r }));
      }),
    );
    for (const { token, r } of results) {
      expect(r.body.errors).toBeUndefined();
      const ids = r.body.data?.wallets.nodes.map((n) => n.id);
      expect(ids).toEqual([token === alice ? aliceWallet : bobWallet]);
    }
    // The other caller's wallet is simply not there for this caller.
    const crossed = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: bobWallet }, { token: alice });
    expect(crossed.body).toEqual({ data: { wallet: null } });
    expect(gw.simulator.requests).toHaveLength(rounds + 1);
    const tokens = new Set(gw.simulator.requests.map((r) => r.headers.authorization));
    expect(tokens).toEqual(new Set([`Bearer ${alice}`, `Bearer ${bob}`]));
  });

  it.each([
    ['no Authorization header', null],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['an empty bearer token', 'Bearer '],
    ['a token with a space', 'Bearer abc def'],
    ['a token with a control character', 'Bearer abc\u0001def'],
    ['a 20 KB token', `Bearer ${'a'.repeat(20 * 1024)}`],
  ])('refuse %s with UNAUTHENTICATED and call nobody upstream', async (_name, authorization) => {
    gw.simulator.clearRequests();
    const payload = JSON.stringify({ query: walletsQuery });
    const auth = authorization === null ? '' : `\r\nauthorization: ${authorization}`;
    const response = await rawRequest(gw.origin, `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nx-graphql-yoga-csrf: 1${auth}`, payload);
    if (response.status === 400) {
      // Node's HTTP parser refused a header with a control character before the gateway saw it.
      // eslint-disable-next-line no-control-regex -- control characters are what this case sends
      expect(authorization).toMatch(/[\u0000-\u001f]/);
    } else {
      const body = JSON.parse(response.body) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body).not.toContain('YWxpY2U6c2VjcmV0');
    }
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('refuse a header split by CR/LF inside the token before it reaches anyone', async () => {
    gw.simulator.clearRequests();
    const payload = JSON.stringify({ query: walletsQuery });
    const response = await rawRequest(
      gw.origin,
      `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: Bearer abc\rx-injected: 1`,
      payload,
    );
    expect([400, 200]).toContain(response.status);
    if (response.status === 200) expect(response.body).toContain('UNAUTHENTICATED');
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('map Clumio refusing the token to UNAUTHENTICATED without echoing it', async () => {
    const unknown = 'not-a-known-token.eyJzdWIiOiJub2JvZHkifQ';
    const { body } = await gw.gql(walletsQuery, {}, { token: unknown });
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(body)).not.toContain(unknown);
  });
});
