import { buildSchema, isObjectType, Kind, parse, print, type DirectiveNode, type ObjectTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useGateway } from './support/gateway.js';
import { calls, seedWallets } from './support/wallets.js';

const entitiesQuery = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Wallet { id state accountNativeId awsAccount { id } }
    }
  }
`;

interface Entities {
  _entities: Array<{ __typename: string; id: string; state: string; accountNativeId: string; awsAccount: { id: string } | null } | null>;
}

const gateway = useGateway();
let orgCount = 0;

function newOrg(count: number): { token: string; ids: string[] } {
  const token = `federation-org-${++orgCount}`;
  return { token, ids: seedWallets(gateway.simulator, token, count) };
}

function keyOf(directives: readonly DirectiveNode[] | undefined): string[] {
  return (directives ?? []).filter((d) => d.name.value === 'key').map((d) => print(d));
}

async function sdl(): Promise<string> {
  const response = await gateway.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
  expect(response.body.errors).toBeUndefined();
  return response.body.data!._service.sdl;
}


describe('_service', () => {
  it('links Federation v2 and keys Wallet by id, without a token or an upstream call', async () => {
    const response = await gateway.gql<{ _service: { sdl: string } }>('{ _service { sdl } }', {}, { token: null });
    expect(response.body.errors).toBeUndefined();
    const document = parse(response.body.data!._service.sdl);
    const links = document.definitions
      .filter((d) => d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION)
      .flatMap((d) => ('directives' in d ? (d.directives ?? []) : []))
      .filter((d) => d.name.value === 'link')
      .map((d) => print(d));
    expect(links.some((l) => /url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/.test(l) && l.includes('"@key"'))).toBe(true);
    const types = new Map(
      document.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION).map((d) => [d.name.value, d]),
    );
    expect(keyOf(types.get('Wallet')?.directives)).toEqual(['@key(fields: "id")']);
    expect(keyOf(types.get('AwsAccount')?.directives)).toEqual(['@key(fields: "id", resolvable: false)']);
    expect(calls(gateway.simulator)).toEqual([]);
  });

  it('offers the AWS account as a reference on Wallet, owned elsewhere', async () => {
    const schema = buildSchema(await sdl(), { assumeValidSDL: true });
    const wallet = schema.getType('Wallet');
    const account = schema.getType('AwsAccount');
    expect(isObjectType(wallet) && wallet.getFields().awsAccount?.type.toString()).toBe('AwsAccount');
    expect(isObjectType(account) && Object.keys(account.getFields())).toEqual(['id']);
  });
});

describe('_entities', () => {
  it('reads k distinct wallets once each for N representations, and answers in the order asked', async () => {
    const { token, ids } = newOrg(4);
    const order = [ids[2], ids[0], ids[2], ids[1], ids[0], ids[2], ids[3], ids[1]];
    const response = await gateway.gql<Entities>(
      entitiesQuery,
      { representations: order.map((id) => ({ __typename: 'Wallet', id })) },
      { token },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!._entities.map((e) => e?.id)).toEqual(order);
    expect(response.body.data!._entities.every((e) => e?.__typename === 'Wallet' && e.state === 'WAITING')).toBe(true);
    expect(calls(gateway.simulator).sort()).toEqual(ids.map((id) => `GET /wallets/${id}`).sort());
  });

  it('answers null in place of a wallet that does not exist, without an error', async () => {
    const { token, ids } = newOrg(2);
    const representations = [ids[0], 'no-such-wallet', ids[1], 'no-such-wallet'].map((id) => ({ __typename: 'Wallet', id }));
    const response = await gateway.gql<Entities>(entitiesQuery, { representations }, { token });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!._entities.map((e) => e?.id ?? null)).toEqual([ids[0], null, ids[1], null]);
    expect(calls(gateway.simulator)).toHaveLength(3);
  });

  it('resolves the AWS account reference of each wallet from its account id, with no extra call', async () => {
    const { token, ids } = newOrg(2);
    const response = await gateway.gql<Entities>(entitiesQuery, { representations: ids.map((id) => ({ __typename: 'Wallet', id })) }, { token });
    expect(response.body.data!._entities.map((e) => e?.awsAccount)).toEqual([{ id: '100000000000' }, { id: '100000000001' }]);
    expect(calls(gateway.simulator)).toHaveLength(2);
  });

  it.each([
    ['a path', '../wallets'],
    ['a slash', 'a/b'],
    ['an encoded slash', '%2F'],
    ['CR/LF', 'a\r\nb'],
    ['5,000 characters', 'x'.repeat(5000)],
    ['a number', 42],
    ['an object', { id: 'w' }],
    ['nothing', undefined],
  ])('refuses %s as the id of a representation with BAD_USER_INPUT on that item only, and no call for it', async (_name, id) => {
    const { token, ids } = newOrg(1);
    const representations = [{ __typename: 'Wallet', id: ids[0] }, { __typename: 'Wallet', id }];
    const response = await gateway.gql<Entities>(entitiesQuery, { representations }, { token });
    expect(response.body.data!._entities.map((e) => e?.id ?? null)).toEqual([ids[0], null]);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } });
    expect(calls(gateway.simulator)).toEqual([`GET /wallets/${ids[0]}`]);
  });

  it.each([
    ['an unknown type', { __typename: 'Nope', id: 'w-1' }],
    ['no type', { id: 'w-1' }],
    ['a type that is not an entity', { __typename: 'WalletActions', canDelete: true }],
    ['an entity this subgraph only references', { __typename: 'AwsAccount', id: '123456789012' }],
    ['a string', 'Wallet'],
    ['a list', [{ __typename: 'Wallet', id: 'w-1' }]],
  ])('refuses %s as a representation with BAD_USER_INPUT and no upstream call', async (_name, representation) => {
    const response = await gateway.gql(entitiesQuery, { representations: [representation] });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({ path: ['_entities'], extensions: { code: 'BAD_USER_INPUT', argument: 'representations' } });
    expect(calls(gateway.simulator)).toEqual([]);
  });

  it('keeps the upstream code of a failed read on its item', async () => {
    const { token, ids } = newOrg(1);
    gateway.simulator.inject({ kind: 'status', status: 403, times: 5 });
    const response = await gateway.gql<Entities>(entitiesQuery, { representations: [{ __typename: 'Wallet', id: ids[0] }] }, { token });
    expect(response.body.data!._entities).toEqual([null]);
    expect(response.body.errors![0]).toMatchObject({ path: ['_entities', 0], extensions: { code: 'FORBIDDEN', upstreamStatus: 403 } });
  });

  it("reads with each caller's own token, and a stranger's representation of a wallet answers null", async () => {
    const owner = newOrg(1);
    const stranger = newOrg(0);
    const representations = [{ __typename: 'Wallet', id: owner.ids[0] }];
    const [mine, theirs] = await Promise.all([
      gateway.gql<Entities>(entitiesQuery, { representations }, { token: owner.token }),
      gateway.gql<Entities>(entitiesQuery, { representations }, { token: stranger.token }),
    ]);
    expect(mine.body.data!._entities[0]?.id).toBe(owner.ids[0]);
    expect(theirs.body.data!._entities).toEqual([null]);
    expect(gateway.simulator.requests.map((r) => r.headers.authorization).sort()).toEqual(
      [`Bearer ${owner.token}`, `Bearer ${stranger.token}`].sort(),
    );
  });

  it('refuses _entities without a token with UNAUTHENTICATED and no upstream call', async () => {
    const response = await gateway.gql(entitiesQuery, { representations: [{ __typename: 'Wallet', id: 'w-1' }] }, { token: null });
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(calls(gateway.simulator)).toEqual([]);
  });
});
