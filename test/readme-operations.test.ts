import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '../src/graphql/schema.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { operationsOf, readmeBlocks } from './support/readme.js';
import { seedWallets } from './support/wallets.js';

const operations = readmeBlocks('Operations', 'graphql').flatMap(operationsOf);
const schema = createSchema();

let gateway: TestGateway;
const token = 'readme-operations';

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

describe("README's Operations", () => {
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
    const run = async (name: string, variables: Record<string, unknown> = {}) => {
      const response = await gateway.gql(byName[name]!, variables, { token });
      expect(response.body.errors, name).toBeUndefined();
      return response.body.data as Record<string, any>;
    };
    const first = await run('Wallets', {});
    const next = await run('Wallets', { after: first.wallets.pageInfo.endCursor });
    expect(next.wallets.edges.length).toBeGreaterThan(0);
    const created = await run('Create');
    const id = created.createWallet.wallet.id as string;
    expect((await run('Wallet', { id })).wallet.state).toBe('WAITING');
    expect((await run('Refresh', { id })).refreshWallet.wallet.id).toBe(id);
    expect((await run('Delete', { id })).deleteWallet.deletedWalletId).toBe(id);
  });
});
