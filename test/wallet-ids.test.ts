import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';

const hostileIds: Array<[string, string]> = [
  ['a parent-directory id', '../'],
  ['a parent path to another resource', '../wallets?limit=1'],
  ['a slash', 'w-1/_refresh'],
  ['a lone slash', '/'],
  ['an encoded slash', 'w-1%2F..%2F_post-process'],
  ['the sibling resource _post-process', '_post-process'],
  ['a dot segment', '..'],
  ['CR/LF', 'w-1\r\nx-injected: yes'],
  ['a 5,000-character id', 'a'.repeat(5_000)],
  ['an empty id', ''],
  ['a query string', 'w-1?start=x'],
  ['a fragment', 'w-1#x'],
  ['a NUL byte', 'w-1\u0000'],
  ['unicode lookalikes', 'w\u20281'],
];

describe('wallet ids', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.simulator.clearRequests());

  it.each(hostileIds)('%s is BAD_USER_INPUT for a read and reaches no upstream path', async (_name, id) => {
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.data).toEqual({ wallet: null });
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it.each(hostileIds)('%s is BAD_USER_INPUT for a refresh and a delete, with no upstream call', async (_name, id) => {
    for (const mutation of ['refreshWallet(id: $id) { wallet { id } }', 'deleteWallet(id: $id) { deletedWalletId }']) {
      const { body } = await gw.gql(`mutation($id: ID!) { ${mutation} }`, { id });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('an id with every allowed character goes upstream as exactly one path segment', async () => {
    const id = 'Ab9_-.x';
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id });
    expect(body).toEqual({ data: { wallet: null } });
    expect(gw.simulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /wallets/${id}`]);
  });
});
