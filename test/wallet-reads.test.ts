import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCursorCodec } from '../src/graphql/cursor.js';
import { startGateway, useGateway } from './support/gateway.js';
import { calls, seedWallets } from './support/wallets.js';

interface Page {
  wallets: {
    edges: Array<{ cursor: string; node: { id: string } }>;
    nodes: Array<{ id: string }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const pageQuery = /* GraphQL */ `
  query Page($first: Int, $after: String) {
    wallets(first: $first, after: $after) {
      edges { cursor node { id } }
      nodes { id }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

const walletQuery = 'query One($id: ID!) { wallet(id: $id) { id state accountNativeId } }';

// Strict page tokens: a token sent back with another page size than it came with is refused
// (400), as a Clumio whose tokens depend on the page size would refuse or misread it.
const gateway = useGateway({ simulator: { strictPageTokens: true } });
let orgCount = 0;

/** A fresh organization with `count` wallets, so tests never see each other's wallets. */
function newOrg(count: number): { token: string; ids: string[] } {
  const token = `reads-org-${++orgCount}`;
  return { token, ids: seedWallets(gateway.simulator, token, count) };
}

async function page(token: string, variables: { first?: number | null; after?: string | null }) {
  const response = await gateway.gql<Page>(pageQuery, variables, { token });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.wallets;
}

/** Follows `endCursor` to the end; returns every id seen and the sizes of the pages. */
async function pageThrough(token: string, first: number, after: string | null = null) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor = after;
  for (let i = 0; i < 200; i++) {
    const p = await page(token, { first, after: cursor });
    expect(p.nodes.map((n) => n.id)).toEqual(p.edges.map((e) => e.node.id));
    seen.push(...p.nodes.map((n) => n.id));
    sizes.push(p.nodes.length);
    if (!p.pageInfo.hasNextPage) return { seen, sizes };
    expect(p.pageInfo.endCursor).not.toBeNull();
    cursor = p.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

async function expectBadInput(variables: Record<string, unknown>, argument: string) {
  gateway.simulator.clearRequests();
  const response = await gateway.gql(pageQuery, variables);
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  expect(response.body.data).toBeNull();
  expect(calls(gateway.simulator)).toEqual([]);
}


describe('wallet(id)', () => {
  it('reads one wallet with one GET of its own path', async () => {
    const { token, ids } = newOrg(3);
    const response = await gateway.gql(walletQuery, { id: ids[1] }, { token });
    expect(response.body).toEqual({
      data: { wallet: { id: ids[1], state: 'WAITING', accountNativeId: '100000000001' } },
    });
    expect(calls(gateway.simulator)).toEqual([`GET /wallets/${ids[1]}`]);
  });

  it('answers null without an error for an id Clumio does not know', async () => {
    const response = await gateway.gql(walletQuery, { id: 'no-such-wallet' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { wallet: null } });
    expect(calls(gateway.simulator)).toEqual(['GET /wallets/no-such-wallet']);
  });

  it("answers null for another organization's wallet, as Clumio hides it", async () => {
    const { ids } = newOrg(1);
    const response = await gateway.gql(walletQuery, { id: ids[0] });
    expect(response.body).toEqual({ data: { wallet: null } });
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [400, 'BAD_USER_INPUT'],
    [500, 'UPSTREAM_ERROR'],
  ])('keeps the code of any other upstream failure (%i gives %s)', async (status, code) => {
    const { token, ids } = newOrg(1);
    gateway.simulator.inject({ kind: 'status', status, message: 'Told by Clumio.', times: 10, match: { method: 'GET' } });
    const response = await gateway.gql(walletQuery, { id: ids[0] }, { token });
    expect(response.body.data).toEqual({ wallet: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.path).toEqual(['wallet']);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code, upstreamStatus: status });
    // Clumio's own words explain a refusal (4xx); on a 5xx they are its internals and stay in the log.
    if (status < 500) expect(response.body.errors![0]!.message).toContain('Told by Clumio.');
    else expect(response.body.errors![0]!.message).not.toContain('Told by Clumio.');
  });

  it('reads an answer that came in parts, with characters split between two of them, whole', async () => {
    const { token } = newOrg(0);
    const message = `${'€'.repeat(40)} ключ недоступен 🔑 ${'é'.repeat(33)}`;
    const wallet = { account_native_id: '100000000000', aws_region: 'us-west-2', state: 'Error', error_code: 'KeyAccessFailed', error_message: message, key_errors: {} };
    const id = String(gateway.simulator.putWallet(token, wallet).id);
    // Clumio's answer written 32 bytes at a time: 32 is no multiple of 3, so parts end inside a '€'.
    gateway.simulator.inject({ kind: 'slowBody', chunkDelayMs: 1, match: { method: 'GET' } });
    const response = await gateway.gql('query One($id: ID!) { wallet(id: $id) { id state errorMessage } }', { id }, { token });
    expect(response.body).toEqual({ data: { wallet: { id, state: 'ERROR', errorMessage: message } } });
    expect(calls(gateway.simulator)).toEqual([`GET /wallets/${id}`]);
  });

  it('refuses a malformed id with BAD_USER_INPUT before any upstream call', async () => {
    const response = await gateway.gql(walletQuery, { id: '../wallets' });
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls(gateway.simulator)).toEqual([]);
  });
});

describe('wallets(first, after)', () => {
  it.each([1, 7, 25, 59, 60, 100])('pages through 60 wallets %i at a time, seeing each exactly once and in order', async (first) => {
    const { token, ids } = newOrg(60);
    const { seen, sizes } = await pageThrough(token, first);
    expect(seen).toEqual(ids);
    expect(sizes.slice(0, -1).every((size) => size === first)).toBe(true);
  });

  it('asks Clumio for one page per page, with its start token and the page size', async () => {
    const { token } = newOrg(20);
    const first = await page(token, { first: 7 });
    await page(token, { first: 7, after: first.pageInfo.endCursor });
    const urls = gateway.simulator.requests.map((r) => r.url);
    expect(urls).toHaveLength(2);
    expect(urls[0]).toBe('/wallets?limit=7&start=');
    expect(urls[1]).toMatch(/^\/wallets\?limit=7&start=[A-Za-z0-9_-]+$/);
  });

  it('never skips or repeats a wallet when `first` changes from page to page', async () => {
    const { token, ids } = newOrg(45);
    const seen: string[] = [];
    let after: string | null = null;
    for (const first of [2, 5, 1, 7, 3, 12, 4, 100]) {
      const p: Page['wallets'] = await page(token, { first, after });
      expect(p.nodes.length).toBe(Math.min(first, ids.length - seen.length));
      seen.push(...p.nodes.map((n) => n.id));
      after = p.pageInfo.endCursor;
      if (!p.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(ids);
  });

  it('continues after any edge cursor with any `first`, smaller or larger than the page it came from', async () => {
    const { token, ids } = newOrg(16);
    const one = await page(token, { first: 5 });
    expect(one.edges).toHaveLength(5);
    for (const [i, edge] of one.edges.entries()) {
      for (const first of [1, 3, 12]) {
        const next = await page(token, { first, after: edge.cursor });
        expect(next.nodes.map((n) => n.id), `after edge ${i}, first ${first}`).toEqual(ids.slice(i + 1, i + 1 + first));
        expect(next.pageInfo.hasNextPage).toBe(i + 1 + first < ids.length);
      }
    }
  });

  it('sends every page token back to Clumio with the page size it came with, trimming on its side', async () => {
    const { token } = newOrg(20);
    const one = await page(token, { first: 3 });
    gateway.simulator.clearRequests();
    await page(token, { first: 8, after: one.pageInfo.endCursor });
    await page(token, { first: 2, after: one.edges[1]!.cursor });
    const asked = gateway.simulator.requests.map((r) => new URL(r.url, 'http://x').searchParams);
    expect(asked.map((q) => q.get('limit'))).toEqual(['3', '3', '3', '3', '3']);
    expect(asked.filter((q) => q.get('start') === '')).toHaveLength(1);
  });

  it('reads at most 10 Clumio pages for one `wallets` field, answering a shorter page that goes on where it stopped', async () => {
    const { token, ids } = newOrg(30);
    const one = await page(token, { first: 1 });
    gateway.simulator.clearRequests();
    const long = await page(token, { first: 100, after: one.pageInfo.endCursor });
    expect(long.nodes.map((n) => n.id)).toEqual(ids.slice(1, 11));
    expect(long.pageInfo.hasNextPage).toBe(true);
    expect(gateway.simulator.requests).toHaveLength(10);
    const rest = await pageThrough(token, 100, long.pageInfo.endCursor);
    expect([...long.nodes.map((n) => n.id), ...rest.seen]).toEqual(ids.slice(1));
  });

  it("answers a shorter page rather than a failure when filling it would pass the operation's Clumio call budget", async () => {
    const small = await startGateway({ env: { UPSTREAM_CALL_BUDGET: '3' }, simulator: { strictPageTokens: true } });
    try {
      const ids = seedWallets(small.simulator, 'budget-org', 12);
      const one = (await small.gql<Page>(pageQuery, { first: 1 }, { token: 'budget-org' })).body.data!.wallets;
      const long = await small.gql<Page>(pageQuery, { first: 10, after: one.pageInfo.endCursor }, { token: 'budget-org' });
      expect(long.body.errors).toBeUndefined();
      expect(long.body.data!.wallets.nodes.map((n) => n.id)).toEqual(ids.slice(1, 4));
      expect(long.body.data!.wallets.pageInfo.hasNextPage).toBe(true);
      const next = await small.gql<Page>(pageQuery, { first: 2, after: long.body.data!.wallets.pageInfo.endCursor }, { token: 'budget-org' });
      expect(next.body.data!.wallets.nodes.map((n) => n.id)).toEqual(ids.slice(4, 6));
    } finally {
      await small.close();
    }
  });

  it('says where a page sits: previous and next pages, first and last cursors', async () => {
    const { token, ids } = newOrg(10);
    const one = await page(token, { first: 4 });
    expect(one.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(one.pageInfo.startCursor).toBe(one.edges[0]!.cursor);
    expect(one.pageInfo.endCursor).toBe(one.edges[3]!.cursor);
    const two = await page(token, { first: 4, after: one.pageInfo.endCursor });
    expect(two.nodes.map((n) => n.id)).toEqual(ids.slice(4, 8));
    expect(two.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const three = await page(token, { first: 4, after: two.pageInfo.endCursor });
    expect(three.nodes.map((n) => n.id)).toEqual(ids.slice(8));
    expect(three.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('signs each page part of a cursor with HMAC-SHA256 of CURSOR_SECRET, so every instance sharing it reads them', async () => {
    const { token } = newOrg(5);
    const one = await page(token, { first: 3 });
    expect(one.edges).toHaveLength(3);
    for (const { cursor } of one.edges) {
      const [, pagePart, signature] = cursor.split('.');
      // The secret startGateway configures, as an operator would set it.
      expect(signature).toBe(createHmac('sha256', 'test-gateway-cursor-secret').update(pagePart!).digest().subarray(0, 16).toString('base64url'));
    }
  });

  it('writes a cursor\'s item as its offset and wallet id in plain text, and still reads the base64url JSON form', async () => {
    const { token } = newOrg(3);
    const one = await page(token, { first: 3 });
    one.edges.forEach(({ cursor, node }, offset) => expect(cursor.startsWith(`${offset}~${node.id}.`)).toBe(true));
    const [, payload, signature] = one.edges[0]!.cursor.split('.') as [string, string, string];
    const asBase64 = Buffer.from(JSON.stringify([0, one.edges[0]!.node.id])).toString('base64url');
    const after = await page(token, { first: 2, after: `${asBase64}.${payload}.${signature}` });
    expect(after.nodes.map((n) => n.id)).toEqual(one.nodes.slice(1).map((n) => n.id));
  });

  it('reads back the item of an id with dots, tildes or any other character', () => {
    const codec = createCursorCodec('a-secret-of-sixteen-chars');
    for (const id of ['a.b..c', 'a~b~', 'wallet 1/é\n', '7']) {
      const cursor = codec.forPage('tok', 4, 'next').at(2, id, true);
      expect(codec.decode(cursor)).toEqual({ start: 'tok', limit: 4, offset: 2, id, next: 'next' });
    }
    const valid = codec.forPage('', 4, null).at(1, 'abc', false);
    for (const item of ['x~abc', '1~', '~abc', '-1~abc', '1234567890~abc']) {
      expect(() => codec.decode(item + valid.slice(valid.indexOf('.')))).toThrow('Invalid cursor');
    }
  });

  it('signs a page once and reuses it, keeping at most 256 short signed parts', () => {
    const codec = createCursorCodec('a-secret-of-sixteen-chars');
    const first = codec.forPage('', 50, 'page-2').at(49, 'w-49', true);
    expect(codec.keptPages).toBe(1);
    // The same page read again gives the same cursors, from the kept part, and they decode.
    expect(codec.forPage('', 50, 'page-2').at(49, 'w-49', true)).toBe(first);
    expect(codec.keptPages).toBe(1);
    expect(codec.decode(first)).toEqual({ start: '', limit: 50, offset: 49, id: 'w-49', next: 'page-2' });
    // Distinct pages past the bound: the oldest parts go, and every cursor still decodes.
    const cursors = Array.from({ length: 300 }, (_, i) => codec.forPage(`start-${i}`, 10, null).at(3, `w-${i}`, false));
    expect(codec.keptPages).toBe(256);
    cursors.forEach((cursor, i) => expect(codec.decode(cursor)).toMatchObject({ start: `start-${i}`, offset: 3 }));
    expect(codec.decode(first).next).toBe('page-2');
    // A long page token is signed each time and not kept.
    const long = 'x'.repeat(400);
    const withLong = codec.forPage(long, 10, null).at(0, 'w', false);
    expect(codec.decode(withLong).start).toBe(long);
    expect(codec.keptPages).toBe(256);
    // A kept part is no way around the signature: another secret refuses it.
    expect(() => createCursorCodec('another-secret-of-sixteen').decode(first)).toThrow('Invalid cursor');
  });

  it('answers an empty page for an organization without wallets', async () => {
    const { token } = newOrg(0);
    const p = await page(token, {});
    expect(p).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('continues right after the item of a mid-page cursor, then pages on to the end', async () => {
    const { token, ids } = newOrg(30);
    const one = await page(token, { first: 7 });
    const next = await page(token, { first: 2, after: one.edges[2]!.cursor });
    expect(next.nodes.map((n) => n.id)).toEqual([ids[3], ids[4]]);
    expect(next.pageInfo.hasNextPage).toBe(true);
    const rest = await pageThrough(token, 7, one.edges[2]!.cursor);
    expect(rest.seen).toEqual(ids.slice(3));
  });

  it('continues after every edge cursor of a page, whichever is picked', async () => {
    const { token, ids } = newOrg(12);
    const one = await page(token, { first: 5 });
    expect(one.edges).toHaveLength(5);
    for (const [i, edge] of one.edges.entries()) {
      const next = await page(token, { first: 3, after: edge.cursor });
      expect(next.nodes.map((n) => n.id)).toEqual(ids.slice(i + 1, i + 4));
    }
  });

  it('continues after the right wallet when a wallet before the cursor was deleted meanwhile', async () => {
    const { token, ids } = newOrg(12);
    const one = await page(token, { first: 7 });
    const deleted = await gateway.gql('mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }', { id: ids[1] }, { token });
    expect(deleted.body.errors).toBeUndefined();
    const rest = await pageThrough(token, 7, one.edges[4]!.cursor);
    expect(rest.seen).toEqual(ids.slice(5));
  });

  it('continues after a deleted wallet from the wallet that followed it', async () => {
    const { token, ids } = newOrg(12);
    const one = await page(token, { first: 7 });
    await gateway.gql('mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }', { id: ids[4] }, { token });
    const rest = await pageThrough(token, 7, one.edges[4]!.cursor);
    expect(rest.seen).toEqual(ids.slice(5));
  });

  it('sees wallets added after a full last page was read, starting from its end cursor', async () => {
    const { token, ids } = newOrg(6);
    const one = await page(token, { first: 3 });
    const last = await page(token, { first: 3, after: one.pageInfo.endCursor });
    expect(last.pageInfo.hasNextPage).toBe(false);
    const added = gateway.simulator.putWallet(token, { account_native_id: '999999999999', aws_region: 'us-west-2', state: 'Waiting' });
    const mid = await pageThrough(token, 3, last.edges[1]!.cursor);
    expect(mid.seen).toEqual([ids[5], added.id]);
    const after = await pageThrough(token, 3, last.pageInfo.endCursor);
    expect(after.seen).toEqual([added.id]);
  });

  it('returns 25 wallets when `first` is omitted or null', async () => {
    const { token, ids } = newOrg(30);
    expect((await page(token, {})).nodes.map((n) => n.id)).toEqual(ids.slice(0, 25));
    expect((await page(token, { first: null })).nodes.map((n) => n.id)).toEqual(ids.slice(0, 25));
  });

  it.each([0, -1, 101, 1_000_000])('refuses first: %i with BAD_USER_INPUT and no upstream call', async (first) => {
    await expectBadInput({ first }, 'first');
  });

  it.each([2 ** 31, 'ten', 7.5])('refuses first: %j, which is no GraphQL Int, with BAD_USER_INPUT and no upstream call', async (first) => {
    const response = await gateway.gql(pageQuery, { first });
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls(gateway.simulator)).toEqual([]);
  });

  it('refuses a cursor whose signature was altered', async () => {
    const { token } = newOrg(5);
    const cursor = (await page(token, { first: 2 })).pageInfo.endCursor!;
    const [item, payload, signature] = cursor.split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await expectBadInput({ first: 2, after: `${item}.${payload}.${flipped}` }, 'after');
  });

  it('refuses a cursor whose page was rewritten under a valid signature', async () => {
    const { token } = newOrg(5);
    const cursor = (await page(token, { first: 2 })).pageInfo.endCursor!;
    const [item, payload, signature] = cursor.split('.') as [string, string, string];
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    position[0] = '../../admin';
    const forged = Buffer.from(JSON.stringify(position)).toString('base64url');
    await expectBadInput({ first: 2, after: `${item}.${forged}.${signature}` }, 'after');
  });

  it('keeps a cursor whose item part was rewritten inside its signed page: Clumio sees only that page and the next', async () => {
    const { token } = newOrg(5);
    const first = await page(token, { first: 2 });
    const [, payload, signature] = first.edges[0]!.cursor.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify([999, 'no-such-wallet'])).toString('base64url');
    const following = (await page(token, { first: 2, after: first.pageInfo.endCursor })).edges.map((e) => e.node.id);
    gateway.simulator.clearRequests();
    const next = await page(token, { first: 2, after: `${forged}.${payload}.${signature}` });
    // Past the signed page's end: the answer goes on from the page after it, as the page's last cursor does.
    expect(next.edges.map((e) => e.node.id)).toEqual(following);
    const targets = gateway.simulator.requests.map((r) => new URL(r.url, 'http://x').searchParams);
    expect(targets.map((q) => q.get('limit'))).toEqual(['2', '2']);
    expect(targets[0]!.get('start')).toBe('');
    expect(targets[1]!.get('start')).not.toBe('');
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-cursor'],
    ['a bare dot', '.'],
    ['three parts', 'a.b.c'],
    ['a start token as Clumio issues it', Buffer.from('after:3').toString('base64url')],
    ['control characters', 'abc\r\ndef.ghi'],
    ['50,000 characters', 'x'.repeat(50_000)],
  ])('refuses %s as a cursor with BAD_USER_INPUT and no upstream call', async (_name, after) => {
    await expectBadInput({ first: 5, after }, 'after');
  });

  it('refuses a cursor signed by a gateway with another secret, and accepts one from a replica sharing the secret', async () => {
    const secret = { CURSOR_SECRET: 'one-shared-secret-for-replicas' };
    const [a, b, c] = await Promise.all([
      startGateway({ env: secret }),
      startGateway({ env: secret }),
      startGateway({ env: { CURSOR_SECRET: 'another-secret-entirely-here' } }),
    ]);
    try {
      const cursor = (await a.gql<Page>(pageQuery, { first: 2 })).body.data!.wallets.pageInfo.endCursor;
      const onReplica = await b.gql<Page>(pageQuery, { first: 2, after: cursor });
      expect(onReplica.body.errors).toBeUndefined();
      expect(onReplica.body.data!.wallets.nodes).toHaveLength(2);
      c.simulator.clearRequests();
      const elsewhere = await c.gql(pageQuery, { first: 2, after: cursor });
      expect(elsewhere.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
      expect(calls(c.simulator)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('keeps the upstream code when Clumio fails a list', async () => {
    gateway.simulator.inject({ kind: 'status', status: 403, message: 'No listing for you.', times: 10, match: { method: 'GET' } });
    const response = await gateway.gql(pageQuery, { first: 3 });
    expect(response.body.data).toBeNull();
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', upstreamStatus: 403 });
  });
});
