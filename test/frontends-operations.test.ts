import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '../src/graphql/schema.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { docSection, fencedBlocks, operationsOf } from './support/markdown.js';
import { seedWallets } from './support/wallets.js';

const operations = fencedBlocks(docSection('docs/frontends.md', '## Operations'), 'graphql').flatMap(operationsOf);
/** The JSON body the README's curl example sends (its `-d '…'`). */
const readmeCurlBody = /-d '(\{.*\})'/.exec(fencedBlocks(docSection('README.md', '## An example with curl'), 'sh').join('\n'))?.[1];
const schema = createSchema();

let gateway: TestGateway;
const token = 'frontends-operations';

beforeAll(async () => {
  gateway = await startGateway();
  seedWallets(gateway.simulator, token, 30);
});

afterAll(async () => {
  await gateway?.close();
});

function nameOf(operation: string): string {
  const definition = parse(operation).definitions[0] as OperationDefinitionNode;
  return definition.name?.value ?? 'anonymous';
}

describe("docs/frontends.md's Operations", () => {
  it('shows every root field of the schema', () => {
    const shown = new Set(operations.flatMap((op) => [...op.matchAll(/\b(\w+)\s*\(/g)].map((m) => m[1])));
    const roots = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    expect(roots.filter((field) => !field.startsWith('_') && !shown.has(field))).toEqual([]);
  });

  it.each(operations.map((op) => [nameOf(op), op]))('%s is valid against the schema', (_name, operation) => {
    expect(validate(schema, parse(operation)).map((e) => e.message)).toEqual([]);
  });

  it('runs each one against the gateway, in an order that makes sense of its variables', async () => {
    const byName = Object.fromEntries(operations.map((op) => [nameOf(op), op]));
    // `T`: the part of the operation's data this test reads.
    const run = async <T>(name: string, variables: Record<string, unknown> = {}) => {
      const response = await gateway.gql<T>(byName[name]!, variables, { token });
      expect(response.body.errors, name).toBeUndefined();
      return response.body.data as T;
    };
    const first = await run<{ wallets: { pageInfo: { endCursor: string | null } } }>('Wallets', {});
    const next = await run<{ wallets: { edges: unknown[] } }>('Wallets', { after: first.wallets.pageInfo.endCursor });
    expect(next.wallets.edges.length).toBeGreaterThan(0);
    const created = await run<{ createWallet: { wallet: { id: string } } }>('Create');
    const id = created.createWallet.wallet.id;
    expect((await run<{ wallet: { state: string } }>('Wallet', { id })).wallet.state).toBe('WAITING');
    expect((await run<{ refreshWallet: { wallet: { id: string } } }>('Refresh', { id })).refreshWallet.wallet.id).toBe(id);
    expect((await run<{ deleteWallet: { deletedWalletId: string } }>('Delete', { id })).deleteWallet.deletedWalletId).toBe(id);
  });
});

describe("README's curl example", () => {
  it('answers a page of wallets with the token it sends', async () => {
    expect(readmeCurlBody, 'a -d \'{…}\' body').toBeDefined();
    const { query } = JSON.parse(readmeCurlBody!) as { query: string };
    const response = await gateway.gql(query, {}, { token });
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data as { wallets: { nodes: unknown[] } }).wallets.nodes).toHaveLength(5);
  });
});
