import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WalletDocument,
  WalletsDocument,
  WatchWalletDocument,
  DeleteWalletDocument,
  type WalletQuery,
  type WalletsQuery,
  type WatchWalletSubscription,
} from '../src/generated/client/graphql.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { routerSecretHeader } from '../src/graphql/trusted-documents.js';
import { documentHash as hashOf, documentHex as hexOf } from './support/document-hash.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { readJson, type GraphQLBody } from './support/json.js';
import { openSse } from './support/sse.js';

const routerSecret = 'router-secret-0123456789abcdef0123456789';

let gateway: TestGateway;

/** POSTs a GraphQL-over-HTTP body with the demo token; `T` is the data the operation answers with. */
const post = <T = Record<string, unknown>>(body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  gateway.post<T>(JSON.stringify(body), headers);

function persisted(document: unknown, variables?: Record<string, unknown>) {
  return { variables, extensions: { persistedQuery: { version: 1, sha256Hash: hexOf(document) } } };
}

async function firstWalletId(): Promise<string> {
  const page = await post<WalletsQuery>(persisted(WalletsDocument, { first: 1 }));
  return page.body.data!.wallets.edges[0]!.node.id;
}

beforeAll(async () => {
  gateway = await startGateway({
    env: { TRUSTED_DOCUMENTS: 'true', TRUSTED_DOCUMENTS_ROUTER_SECRET: routerSecret, SUBSCRIPTION_POLL_INTERVAL_MS: '500' },
  });
});
afterAll(async () => {
  await gateway?.close();
});

describe('trusted-documents mode', () => {
  it('runs a document of the manifest named by extensions.persistedQuery.sha256Hash', async () => {
    const { status, body } = await post<WalletsQuery>(persisted(WalletsDocument, { first: 3 }));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.wallets.edges).toHaveLength(3);
  });

  it('runs a document of the manifest named by documentId, in a POST body or a GET query string', async () => {
    const id = await firstWalletId();
    const viaPost = await post<WalletQuery>({ documentId: hashOf(WalletDocument), variables: { id } });
    expect(viaPost.body.errors).toBeUndefined();
    expect(viaPost.body.data?.wallet?.id).toBe(id);

    const query = new URLSearchParams({ documentId: hashOf(WalletDocument), variables: JSON.stringify({ id }) });
    const viaGet = await fetch(`${gateway.url}?${query}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${gateway.simulator.demoToken}` },
      signal: AbortSignal.timeout(20_000),
    });
    const got = await readJson<GraphQLBody<WalletQuery>>(viaGet);
    expect(got.errors).toBeUndefined();
    expect(got.data?.wallet?.id).toBe(id);
  });

  it('refuses an arbitrary document with PERSISTED_QUERY_ONLY and calls Clumio for nothing', async () => {
    gateway.simulator.clearRequests();
    // Even the exact text of a trusted document: the id is what is trusted, not the text.
    for (const query of ['{ wallets(first: 100) { nodes { id token } } }', print(WalletsDocument)]) {
      const { body } = await post({ query });
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      expect(body.errors?.[0]?.message).toContain('trusted documents');
    }
    expect(gateway.simulator.requests).toEqual([]);
  });

  it('refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND and a malformed id with PERSISTED_QUERY_ONLY, calling Clumio for nothing', async () => {
    gateway.simulator.clearRequests();
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const unknownId = await post({ documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknownId.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const body of [
      { extensions: { persistedQuery: { version: 2, sha256Hash: hexOf(WalletsDocument) } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: '../../etc/passwd' } } },
      { documentId: 'Wallets' },
    ]) {
      const refused = await post(body);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    }
    expect(gateway.simulator.requests).toEqual([]);
  });

  it('still checks the caller\'s token and arguments on a trusted document', async () => {
    gateway.simulator.clearRequests();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(persisted(WalletDocument, { id: 'x' })),
      signal: AbortSignal.timeout(20_000),
    });
    const body = await readJson<GraphQLBody>(response);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const badId = await post(persisted(DeleteWalletDocument, { id: '../wallets' }));
    expect(badId.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.simulator.requests).toEqual([]);
  });

  it('serves the trusted subscription over server-sent events, and refuses an arbitrary one', async () => {
    const id = await firstWalletId();
    const token = gateway.simulator.demoToken;
    const watch = await openSse<WatchWalletSubscription>(gateway.url, persisted(WatchWalletDocument, { id }), { token });
    const first = await watch.next();
    expect(first?.data?.errors).toBeUndefined();
    expect(first?.data?.data?.walletChanged.id).toBe(id);
    watch.close();

    const arbitrary = await openSse(gateway.url, { query: `subscription { walletChanged(id: "${id}") { id token } }` }, { token });
    expect((await arbitrary.next())?.data?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    arbitrary.close();
  });

  it('lets a federation router that sends the shared secret run its own operations, and nobody else', async () => {
    const id = await firstWalletId();
    const entities = {
      query: 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Wallet { id state } } }',
      variables: { representations: [{ __typename: 'Wallet', id }] },
    };
    const sdl = { query: '{ _service { sdl } }' };

    const router = { [routerSecretHeader]: routerSecret };
    const resolved = await post<{ _entities: Array<{ id: string; state: string } | null> }>(entities, router);
    expect(resolved.body.errors).toBeUndefined();
    expect(resolved.body.data?._entities).toEqual([{ id, state: expect.any(String) as string }]);
    const service = await post<{ _service: { sdl: string } }>(sdl, router);
    expect(service.body.data?._service.sdl).toContain('type Wallet');

    gateway.simulator.clearRequests();
    for (const headers of [{}, { [routerSecretHeader]: `${routerSecret}x` }, { [routerSecretHeader]: '' }] as Array<Record<string, string>>) {
      for (const body of [entities, sdl]) {
        const refused = await post(body, headers);
        expect(refused.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      }
    }
    expect(gateway.simulator.requests).toEqual([]);
  });
});

describe('trusted-documents configuration', () => {
  it('is off by default, so arbitrary operations run', async () => {
    expect(loadConfig({}).trustedDocuments).toBe(false);
    const open = await startGateway();
    try {
      const { body } = await open.gql('{ wallets(first: 1) { nodes { id } } }');
      expect(body.errors).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('refuses a router secret too short to be one, without echoing it', () => {
    let error: unknown;
    try {
      loadConfig({ TRUSTED_DOCUMENTS: 'true', TRUSTED_DOCUMENTS_ROUTER_SECRET: 'hunter2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringContaining('TRUSTED_DOCUMENTS_ROUTER_SECRET')]);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
