import { Client, cacheExchange, fetchExchange, type Exchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { afterEach, describe, expect, it } from 'vitest';
import { RefreshWalletDocument, WalletDocument, WalletsDocument } from '../src/generated/client/graphql.js';
import { documentHash } from './support/document-hash.js';
import { startGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

// The method of every request urql sent, in order.
let methods: string[] = [];

/** urql over real HTTP to the gateway with the demo token, set up as docs/frontends.md shows. */
function urqlClient(gw: TestGateway, trusted: boolean): Client {
  const persisted: Exchange[] = trusted
    ? [
        persistedExchange({
          enforcePersistedQueries: true,
          enableForMutation: true,
          generateHash: (_query, document) => Promise.resolve(documentHash(document)),
        }),
      ]
    : [];
  return new Client({
    url: gw.url,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${gw.simulator.demoToken}` } }),
    fetch: (input, init) => {
      methods.push(init?.method ?? 'GET');
      return fetch(input, init);
    },
    exchanges: [cacheExchange, ...persisted, fetchExchange],
  });
}

/**
 * Reads a wallet twice (the second time from urql's document cache), then refreshes it: the
 * mutation's `Wallet` answer invalidates the cached query, which urql can only know from
 * `__typename`, and the next read fetches the refreshed wallet.
 */
async function readThenRefresh(client: Client, gw: TestGateway): Promise<void> {
  methods = [];
  const answeredBefore = gw.app.handler.jsonDoorCount;
  const page = await client.query(WalletsDocument, { first: 10 }).toPromise();
  expect(page.error).toBeUndefined();
  const id = page.data!.wallets.edges.find((edge) => edge.node.state === 'ENABLED')!.node.id;

  const first = await client.query(WalletDocument, { id }).toPromise();
  expect(first.error).toBeUndefined();
  expect(first.data?.wallet).toMatchObject({ __typename: 'Wallet', id, state: 'ENABLED' });
  const calls = gw.simulator.requests.length;
  const cached = await client.query(WalletDocument, { id }).toPromise();
  expect(cached.data?.wallet?.state).toBe('ENABLED');
  expect(gw.simulator.requests.length).toBe(calls);

  gw.simulator.breakWallet(id);
  const refreshed = await client.mutation(RefreshWalletDocument, { id }).toPromise();
  expect(refreshed.error).toBeUndefined();
  expect(refreshed.data?.refreshWallet.wallet.state).toBe('ERROR');

  const after = await client.query(WalletDocument, { id }).toPromise();
  expect(after.data?.wallet).toMatchObject({ id, state: 'ERROR', errorCode: 'KeyAccessFailed' });
  expect(gw.simulator.requests.length).toBe(calls + 2);
  // urql's defaults (queries as GETs, its Accept header) take the gateway's own door, every one.
  expect(methods).toEqual(['GET', 'GET', 'POST', 'GET']);
  expect(gw.app.handler.jsonDoorCount - answeredBefore).toBe(methods.length);
}

describe('urql against the gateway', () => {
  it('serves a wallet from its document cache until a refresh of that wallet invalidates it', async () => {
    gateway = await startGateway();
    await readThenRefresh(urqlClient(gateway, false), gateway);
  });

  it('does the same in trusted-documents mode, with persistedExchange sending each generated document hash', async () => {
    gateway = await startGateway({ env: { TRUSTED_DOCUMENTS: 'true' } });
    await readThenRefresh(urqlClient(gateway, true), gateway);
  });
});
