import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import {
  RefreshWalletDocument,
  WalletDocument,
  WalletsDocument,
  type WalletQuery,
} from '../src/generated/client/graphql.js';
import { documentHex } from './support/document-hash.js';
import { startGateway, type TestGateway } from './support/gateway.js';


let gateway: TestGateway | undefined;
let warnings: MockInstance;
beforeEach(() => {
  // Apollo Client says through console.warn / console.error when it cannot normalise or loses data.
  warnings = vi.spyOn(console, 'warn');
  vi.spyOn(console, 'error');
});
afterEach(async () => {
  expect(warnings.mock.calls).toEqual([]);
  expect(vi.mocked(console.error).mock.calls).toEqual([]);
  vi.restoreAllMocks();
  await gateway?.close();
  gateway = undefined;
});

/**
 * Apollo Client 4 over real HTTP to the gateway, with the demo token, through `links` then HttpLink.
 * The cache as docs/frontends.md sets it up: a wallet's links and key errors have no ids, so a new
 * answer replaces them whole.
 */
function apolloClient(gw: TestGateway, links: ApolloLink[] = []): ApolloClient {
  const http = new HttpLink({ uri: gw.url, headers: { authorization: `Bearer ${gw.simulator.demoToken}` } });
  const cache = new InMemoryCache({ typePolicies: { Wallet: { fields: { links: { merge: false }, keyErrors: { merge: false } } } } });
  return new ApolloClient({ link: ApolloLink.from([...links, http]), cache });
}

/** Lists, reads and refreshes one wallet, checking Apollo's normalised cache at each step. */
async function readThenRefresh(client: ApolloClient, gw: TestGateway): Promise<void> {
  const answeredBefore = gw.app.handler.jsonDoorCount;
  const page = await client.query({ query: WalletsDocument, variables: { first: 10 } });
  const enabled = page.data?.wallets.edges.find((edge) => edge.node.state === 'ENABLED')?.node;
  expect(enabled?.__typename).toBe('Wallet');
  const id = enabled!.id;

  const read = await client.query({ query: WalletDocument, variables: { id } });
  expect(read.data?.wallet).toMatchObject({ __typename: 'Wallet', id, state: 'ENABLED' });
  const cached = client.cache.extract() as Record<string, { state?: string } | undefined>;
  expect(cached[`Wallet:${id}`]?.state).toBe('ENABLED');

  // Clumio now finds the key unusable; the refresh's answer replaces the cached wallet.
  gw.simulator.breakWallet(id);
  const calls = gw.simulator.requests.length;
  const refreshed = await client.mutate({ mutation: RefreshWalletDocument, variables: { id } });
  expect(refreshed.data?.refreshWallet.wallet.state).toBe('ERROR');
  expect((client.cache.extract() as Record<string, { state?: string } | undefined>)[`Wallet:${id}`]?.state).toBe('ERROR');

  // The wallet query reads the refreshed wallet from the cache, with no call to the gateway.
  const again = client.readQuery<WalletQuery>({ query: WalletDocument, variables: { id } });
  expect(again?.wallet).toMatchObject({ id, state: 'ERROR', errorCode: 'KeyAccessFailed' });
  expect(gw.simulator.requests.length).toBe(calls + 1);
  // Apollo's defaults (JSON POSTs, its Accept header) take the gateway's own door: three requests.
  expect(gw.app.handler.jsonDoorCount - answeredBefore).toBe(3);
}

describe('Apollo Client 4 against the gateway', () => {
  it('keeps wallets in its normalised cache as Wallet:<id>, and a refresh updates the cached wallet', async () => {
    gateway = await startGateway();
    await readThenRefresh(apolloClient(gateway), gateway);
  });

  it('does the same in trusted-documents mode, naming each generated document by its manifest hash', async () => {
    gateway = await startGateway({ env: { TRUSTED_DOCUMENTS: 'true' } });
    const sent: Array<Record<string, unknown>> = [];
    // Records what goes over the wire: a hash, never the document's text.
    const spy = new ApolloLink((operation, forward) => {
      sent.push({ query: operation.query, extensions: operation.extensions });
      return forward(operation);
    });
    // PersistedQueryLink's hash is the manifest's, without its prefix: Apollo hands the link the
    // typed document itself, since its cache has no `__typename` left to add.
    const persisted = new PersistedQueryLink({ generateHash: documentHex, retry: () => false, disable: () => false });
    await readThenRefresh(apolloClient(gateway, [persisted, spy]), gateway);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const request of sent) expect(request.extensions).toMatchObject({ persistedQuery: { version: 1 } });
  });
});
