import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, print, validate, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../src/generated/client/persisted-documents.json' with { type: 'json' };
import {
  CreateWalletDocument,
  DeleteWalletDocument,
  RefreshWalletDocument,
  WalletDocument,
  WalletsDocument,
  WatchWalletDocument,
  type CreateWalletMutation,
  type DeleteWalletMutation,
  type RefreshWalletMutation,
  type WalletQuery,
  type WalletsQuery,
} from '../src/generated/client/graphql.js';
import { createSchema } from '../src/graphql/schema.js';
import { documentHash } from './support/document-hash.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { openSse } from './support/sse.js';

const operationsDir = new URL('../schema/operations/', import.meta.url);
const files = readdirSync(operationsDir).filter((name) => name.endsWith('.graphql')).sort();
const sources = Object.fromEntries(files.map((name) => [name, readFileSync(new URL(name, operationsDir), 'utf8')]));
const schema = createSchema();

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

describe('the operation documents in schema/operations', () => {
  it('are all valid against the gateway\'s real schema', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const all = parse(Object.values(sources).join('\n'));
    expect(validate(schema, all)).toEqual([]);
    // And each one alone, with the fragments it uses, as a frontend sends it.
    for (const text of Object.values(manifest)) expect(validate(schema, parse(text))).toEqual([]);
  });

  it('would be caught if one asked for a field the schema does not have', () => {
    const broken = parse(`${sources['WalletDetails.graphql']}\nquery Broken($id: ID!) { wallet(id: $id) { ...WalletDetails balance } }`);
    expect(validate(schema, broken).map((e) => e.message)).toEqual([expect.stringContaining('"balance"')]);
  });

  it('each appear in the trusted-documents manifest under the sha256 of the text it stores', () => {
    const names = operationsOf(parse(Object.values(sources).join('\n'))).map((op) => op.name?.value);
    const inManifest = Object.values(manifest).flatMap((text) => operationsOf(parse(text)).map((op) => op.name?.value));
    expect(inManifest.sort()).toEqual(names.sort());
    for (const [id, text] of Object.entries(manifest)) {
      expect(id).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
    }
  });

  it('come with typed document nodes that carry their manifest hash', () => {
    for (const document of [WalletDocument, WalletsDocument, RefreshWalletDocument, CreateWalletDocument, DeleteWalletDocument, WatchWalletDocument]) {
      const hash = documentHash(document);
      expect(Object.keys(manifest)).toContain(hash);
      expect(operationsOf(document)).toHaveLength(1);
    }
  });
});

describe('the operation documents against the gateway', () => {
  let gateway: TestGateway;
  const token = `operations-caller-${'z'.repeat(24)}`;

  beforeAll(async () => {
    gateway = await startGateway({ env: { SUBSCRIPTION_POLL_INTERVAL_MS: '500' } });
    gateway.simulator.addOrganization(token, { seed: true });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists, reads, creates, refreshes, watches and deletes a wallet', async () => {
    const page = await gateway.gql<WalletsQuery>(print(WalletsDocument), { first: 2 }, { token });
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data?.wallets.edges).toHaveLength(2);
    const next = await gateway.gql<WalletsQuery>(print(WalletsDocument), { first: 2, after: page.body.data?.wallets.pageInfo.endCursor }, { token });
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data?.wallets.edges[0]?.node.id).not.toBe(page.body.data?.wallets.edges[0]?.node.id);

    const created = await gateway.gql<CreateWalletMutation>(
      print(CreateWalletDocument),
      { input: { accountNativeId: '555566667777', awsRegion: 'us-west-2' } },
      { token },
    );
    expect(created.body.errors).toBeUndefined();
    const wallet = created.body.data!.createWallet.wallet;
    expect(wallet).toMatchObject({ accountNativeId: '555566667777', state: 'WAITING' });

    const read = await gateway.gql<WalletQuery>(print(WalletDocument), { id: wallet.id }, { token });
    expect(read.body.errors).toBeUndefined();
    // Every field of the fragment came back, and the __typename codegen adds for client caches.
    expect(read.body.data!.wallet!.__typename).toBe('Wallet');
    const fields = Object.keys(read.body.data!.wallet!).filter((field) => field !== '__typename');
    const fragment = parse(sources['WalletDetails.graphql']!).definitions[0] as FragmentDefinitionNode;
    const selected = fragment.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : s.kind));
    expect(fields.sort()).toEqual(selected.sort());

    const refreshed = await gateway.gql<RefreshWalletMutation>(print(RefreshWalletDocument), { id: wallet.id }, { token });
    expect(refreshed.body.errors).toBeUndefined();
    expect(refreshed.body.data?.refreshWallet.wallet.id).toBe(wallet.id);

    const watch = await openSse(gateway.url, { query: print(WatchWalletDocument), variables: { id: wallet.id } }, { token });
    const first = await watch.next();
    expect(first?.data?.errors).toBeUndefined();
    expect(first?.data?.data?.walletChanged).toMatchObject({ id: wallet.id, state: 'WAITING' });
    watch.close();

    const deleted = await gateway.gql<DeleteWalletMutation>(print(DeleteWalletDocument), { id: wallet.id }, { token });
    expect(deleted.body.errors).toBeUndefined();
    expect(deleted.body.data?.deleteWallet.deletedWalletId).toBe(wallet.id);
  });
});
