import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen, startGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/raw-http.js';
import { parseJson, type GraphQLBody } from './support/json.js';

type Body = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

describe('hostile callers get a clear error, nothing goes upstream, and the gateway stays up', () => {
  let gw: TestGateway;
  let walletId: string;

  // Answers as graphql-response+json callers get them (HTTP 400 for a request error).
  const post = (body: string, headers: Record<string, string> = {}) =>
    gw.post(body, { accept: 'application/graphql-response+json', ...headers }) as Promise<{ status: number; body: Body; text: string }>;

  const aliased = (count: number, field: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => `a${i}: ${field(i)}`).join('\n');

  let manyIds: string[];

  beforeAll(async () => {
    gw = await startGateway({ env: { UPSTREAM_CALL_BUDGET: '10' } });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
    manyIds = Array.from({ length: 25 }, () => String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id));
  });
  afterAll(async () => {
    // Whatever came before, the gateway is alive and answers a normal operation.
    const health = await fetch(`${gw.origin}/health`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
    const { body } = await gw.gql('query($id: ID!) { wallet(id: $id) { id } }', { id: walletId });
    expect(body).toEqual({ data: { wallet: { id: walletId } } });
    await gw.close();
  });
  beforeEach(() => gw.simulator.clearRequests());

  describe('ids', () => {
    it.each([
      ['a path climb', '../../admin'],
      ['a slash', 'abc/def'],
      ['an encoded slash', 'abc%2Fdef'],
      ['CR/LF', 'abc\r\nx-injected: 1'],
      ['5,000 characters', 'a'.repeat(5_000)],
      ['an empty id', ''],
      ['a query string', 'abc?limit=1'],
      ['non-ASCII', 'wället'],
    ])('%s is BAD_USER_INPUT for a read, a refresh and a delete, with no upstream call', async (_name, id) => {
      for (const query of [
        'query($id: ID!) { wallet(id: $id) { id } }',
        'mutation($id: ID!) { refreshWallet(id: $id) { wallet { id } } }',
        'mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }',
      ]) {
        const { body } = await gw.gql(query, { id });
        expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
      expect(gw.simulator.requests).toHaveLength(0);
    });
  });

  describe('tokens', () => {
    const query = JSON.stringify({ query: '{ wallets(first: 1) { nodes { id } } }' });

    it.each([
      ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
      ['an empty token', 'Bearer '],
      ['a token with a quote and a comma', 'Bearer abc",def'],
      ['a token just over the 8 KB cap', `Bearer ${'t'.repeat(8_200)}`],
      ['two tokens', 'Bearer abc, Bearer def'],
    ])('%s gives UNAUTHENTICATED, is never echoed, and calls nobody', async (_name, authorization) => {
      const { body, text } = await post(query, { authorization });
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const token = authorization.slice(7, 40);
      if (token.length > 0) {
        // Neither as sent nor as JSON would carry it (a quote escaped).
        expect(text).not.toContain(token);
        expect(text).not.toContain(JSON.stringify(token).slice(1, -1));
      }
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it.each([
      ['a control character', 'Bearer abc\u0001def'],
      ['a bare CR splitting the header', 'Bearer abc\rx-injected: 1'],
      ['a NUL', 'Bearer abc\u0000def'],
    ])('%s never reaches Clumio: refused by the HTTP parser or with UNAUTHENTICATED', async (_name, authorization) => {
      const response = await rawRequest(gw.origin, `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: ${authorization}`, query);
      if (response.status === 200) expect(response.body).toContain('UNAUTHENTICATED');
      else expect(response.status).toBe(400);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('two Authorization headers are two tokens: UNAUTHENTICATED, and neither reaches Clumio', async () => {
      const response = await rawRequest(
        gw.origin,
        `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: Bearer made-up.first\r\nauthorization: Bearer ${gw.simulator.demoToken}`,
        query,
      );
      expect(parseJson<GraphQLBody>(response.body).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it.each([
      ['20 KB of token is UNAUTHENTICATED with no upstream call', 20, 200],
      ['headers past 32 KB in all (HTTP_MAX_HEADER_BYTES) are refused by the HTTP server with 431 before any GraphQL work', 40, 431],
    ])('%s', async (_name, kilobytes, status) => {
      const response = await rawRequest(
        gw.origin,
        `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${'t'.repeat(kilobytes * 1024)}`,
        query,
      );
      expect(response.status).toBe(status);
      if (status === 200) expect(parseJson<GraphQLBody>(response.body).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(gw.simulator.requests).toHaveLength(0);
    });
  });

  describe('documents', () => {
    it('300 aliased reads are refused before execution: no upstream call', async () => {
      const { status, body } = await post(JSON.stringify({ query: `{ ${aliased(300, (i) => `wallet(id: "w${i}") { id }`)} }` }));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(PARSE|VALIDATION)_FAILED$/);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('300 aliased refreshes are refused before execution: no upstream call', async () => {
      const { status, body } = await post(JSON.stringify({ query: `mutation { ${aliased(300, (i) => `refreshWallet(id: "w${i}") { wallet { id } }`)} }` }));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(PARSE|VALIDATION)_FAILED$/);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('40 aliased reads, under the token limit but over the alias limit, are refused by the alias limit', async () => {
      const { status, body } = await post(JSON.stringify({ query: `{ ${aliased(40, (i) => `wallet(id: "w${i}") { id }`)} }` }));
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({ message: 'Aliases limit of 30 exceeded, found 40.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('300 refreshes spread over fragments cost at most the call budget', async () => {
      const fragments = Array.from(
        { length: 12 },
        (_, f) => `fragment F${f} on Mutation { ${aliased(25, (i) => `refreshWallet(id: "w${f}x${i}") { wallet { id } }`).replace(/a(\d+):/g, `f${f}a$1:`)} }`,
      );
      const spreads = fragments.map((_, f) => `...F${f}`).join(' ');
      const { body } = await post(JSON.stringify({ query: `mutation { ${spreads} } ${fragments.join('\n')}` }));
      expect(body.errors?.length).toBeGreaterThan(0);
      // Either refused whole by the alias limit, or stopped by the budget of 10 calls.
      expect(gw.simulator.requests.length).toBeLessThanOrEqual(10);
    });

    it('within the limits, the same wallet asked for 25 times costs one call', async () => {
      const { body } = await post(JSON.stringify({ query: `{ ${aliased(25, () => `wallet(id: "${walletId}") { id }`)} }` }));
      expect(body.errors).toBeUndefined();
      expect(gw.simulator.requests).toHaveLength(1);
    });

    it('within the limits, 25 distinct reads stop at the budget of 10 calls with UPSTREAM_BUDGET_EXCEEDED', async () => {
      const { body } = await post(JSON.stringify({ query: `{ ${aliased(25, (i) => `wallet(id: "${manyIds[i]}") { id }`)} }` }));
      const codes = body.errors?.map((e) => e.extensions?.code);
      expect(codes).toHaveLength(15);
      expect(new Set(codes)).toEqual(new Set(['UPSTREAM_BUDGET_EXCEEDED']));
      expect(gw.simulator.requests).toHaveLength(10);
    });

    it('within the limits, 25 refreshes stop at the budget of 10 calls with UPSTREAM_BUDGET_EXCEEDED', async () => {
      const { body } = await post(JSON.stringify({ query: `mutation { ${aliased(25, (i) => `refreshWallet(id: "${manyIds[i]}") { wallet { id } }`)} }` }));
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
      expect(gw.simulator.requests).toHaveLength(10);
    });

    it('a document nested too deep is refused', async () => {
      const deep = `{ wallet(id: "x") ${'{ links '.repeat(20)}{ href }${' }'.repeat(20)} }`;
      const { status, body } = await post(JSON.stringify({ query: deep }));
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({ message: 'Query depth limit of 12 exceeded, found 22.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a document of too many tokens is refused', async () => {
      const { status, body } = await post(JSON.stringify({ query: `{ wallets(first: 1) { nodes { ${'id '.repeat(3_000)}} } }` }));
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({ message: 'Syntax Error: Token limit of 2000 exceeded.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a document with too many directives is refused', async () => {
      const { status, body } = await post(JSON.stringify({ query: `{ wallets(first: 1) ${'@skip(if: false) '.repeat(50)}{ nodes { id } } }` }));
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({ message: 'Directives limit of 20 exceeded, found 50.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('more than 100 representations in one _entities are refused once, with BAD_USER_INPUT: no upstream call', async () => {
      const representations = Array.from({ length: 101 }, (_, i) => ({ __typename: 'Wallet', id: manyIds[i % manyIds.length] }));
      const { body } = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id } } }', { r: representations });
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toContain('At most 100 representations');
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('_entities without a usable token fails once with UNAUTHENTICATED, not once per representation', async () => {
      const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'Wallet', id: manyIds[i % manyIds.length] }));
      const { body } = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id } } }', { r: representations }, { token: null });
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a body over 64 KB is refused with 413 REQUEST_ENTITY_TOO_LARGE', async () => {
      const padding = ' '.repeat(70 * 1024);
      const { status, body } = await post(JSON.stringify({ query: `{ wallets(first: 1) { nodes { id } } }${padding}` }));
      expect(status).toBe(413);
      expect(body.errors?.[0]?.extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a chunked body over 64 KB, with no Content-Length, is refused with 413 too', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"query":"{ wallets(first: 1) { nodes { id } } }"'));
          if (sent++ < 8) controller.enqueue(chunk);
          else {
            controller.enqueue(new TextEncoder().encode('}'));
            controller.close();
          }
        },
      });
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.simulator.demoToken}` },
        body: stream,
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a batch (a JSON array of operations) is refused: batching is off', async () => {
      const one = { query: '{ wallets(first: 1) { nodes { id } } }' };
      const { status, body } = await post(JSON.stringify([one, one, one]));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('a form post from another site (a CORS "simple" request) is refused by CSRF prevention', async () => {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'query=mutation%20%7B%20deleteWallet(id%3A%20%22x%22)%20%7B%20deletedWalletId%20%7D%20%7D',
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(403);
      expect(gw.simulator.requests).toHaveLength(0);
    });

    it('invalid JSON gives a 400 without echoing the body', async () => {
      const { status, body, text } = await post('{"query": "{ wallets { nodes { id } } }", secret-marker');
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      const legacy = await post('{"query": "{ wallets { nodes { id } } }", secret-marker', { accept: 'application/json' });
      expect(legacy.status).toBe(400);
      expect(legacy.text).not.toContain('secret-marker');
      expect(text).not.toContain('secret-marker');
      expect(gw.simulator.requests).toHaveLength(0);
    });
  });
});

describe('production mode', () => {
  let prod: TestGateway;
  let prodYoga: TestGateway;
  let dev: TestGateway;
  beforeAll(async () => {
    [prod, prodYoga, dev] = await Promise.all([
      startGateway({ env: { NODE_ENV: 'production' } }),
      startGateway({ env: { NODE_ENV: 'production', FAST_PATH: 'false' } }),
      startGateway({ env: { NODE_ENV: 'development' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([prod.close(), prodYoga.close(), dev.close()]);
  });

  it('gives no field suggestions in production, and does in development', async () => {
    const typo = '{ wallets(first: 1) { nodez { id } } }';
    const inProd = await prod.gql(typo);
    const inDev = await dev.gql(typo);
    expect(inProd.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
    expect(inDev.body.errors?.[0]?.message).toMatch(/did you mean/i);
  });

  it('gives no suggestions in variable errors in production, fast path on or off, and does in development', async () => {
    const create = 'mutation($input: CreateWalletInput!) { createWallet(input: $input) { wallet { id } } }';
    const variables = { input: { accountNativeId: '123456789012', awsRegio: 'us-west-2' } };
    for (const gateway of [prod, prodYoga]) {
      const { body } = await gateway.gql(create, variables);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toMatch(/awsRegio/);
      expect(body.errors?.[0]?.message).not.toMatch(/did you mean|awsRegion/i);
    }
    expect((await dev.gql(create, variables)).body.errors?.[0]?.message).toMatch(/did you mean "awsRegion"/i);
    expect(prod.simulator.requests).toHaveLength(0);
  });

  it('refuses introspection in production by default, and allows it in development', async () => {
    const introspection = '{ __schema { queryType { name } } }';
    expect((await prod.gql(introspection)).body.errors?.length).toBeGreaterThan(0);
    expect((await dev.gql(introspection)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('does not serve GraphiQL in production by default', async () => {
    const response = await fetch(prod.url, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(5_000) });
    expect(await response.text()).not.toMatch(/graphiql/i);
  });
});

describe('tokens go to the configured Clumio origin only', () => {
  let thief: Server;
  let redirector: Server;
  let stolen = 0;
  let gw: TestGateway;

  beforeAll(async () => {
    thief = createServer((_req, res) => {
      stolen++;
      res.end('{}');
    });
    const thiefUrl = await listen(thief);
    redirector = createServer((req, res) => {
      res.writeHead(307, { location: `${thiefUrl}${req.url ?? '/'}`, 'content-type': 'application/json' });
      res.end('{}');
    });
    const redirectorUrl = await listen(redirector);
    gw = await startGateway({ via: () => Promise.resolve(redirectorUrl) });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([new Promise((r) => thief.close(r)), new Promise((r) => redirector.close(r))]);
  });

  it('a redirect from Clumio is not followed: the token never reaches the other origin', async () => {
    const { body } = await gw.gql('{ wallets(first: 1) { nodes { id } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_UPSTREAM_RESPONSE', upstreamStatus: 307 });
    expect(stolen).toBe(0);
  });
});

describe('every refusal says what is wrong, with a code', () => {
  let gw: TestGateway;
  let yogaOnly: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
    yogaOnly = await startGateway({ env: { FAST_PATH: 'false' } });
  });
  afterAll(async () => {
    await gw.close();
    await yogaOnly.close();
  });
  const doors = () => [
    ['the gateway\'s own door', gw],
    ['Yoga\'s door', yogaOnly],
  ] as const;

  it.each(['application/json', 'application/graphql-response+json'])('names the variable that does not coerce, with HTTP 400 (%s), on both doors', async (accept) => {
    for (const [, g] of doors()) {
      g.simulator.clearRequests();
      const { status, body } = (await g.post(JSON.stringify({ query: 'query($n: Int, $f: Int) { a: wallets(first: $n) { nodes { id } } b: wallets(first: $f) { nodes { id } } }', variables: { n: 1, f: 'abc' } }), { accept })) as { status: number; body: Body };
      expect(status).toBe(400);
      expect(body.errors).toEqual([
        expect.objectContaining({ message: 'Variable "$f" got invalid value "abc"; Int cannot represent non-integer value: "abc"', extensions: { code: 'BAD_USER_INPUT' } }),
      ]);
      expect(g.simulator.requests).toHaveLength(0);
    }
  });

  it('codes a missing required variable BAD_USER_INPUT, on both doors', async () => {
    for (const [, g] of doors()) {
      const { status, body } = (await g.post(JSON.stringify({ query: 'query($id: ID!) { wallet(id: $id) { id } }' }), { accept: 'application/graphql-response+json' })) as { status: number; body: Body };
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({ message: 'Variable "$id" of required type "ID!" was not provided.', extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('refuses a cross-site form post with 403 BAD_REQUEST that says how to send it', async () => {
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D', signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(403);
    const body = (await response.json()) as Body;
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(body.errors?.[0]?.message).toContain('content-type application/json');
  });

  it('refuses a GET or a form whose variables or extensions are not JSON with 400 BAD_REQUEST, on both doors', async () => {
    for (const [, g] of doors()) {
      g.simulator.clearRequests();
      const answers = [
        await fetch(`${g.url}?query=%7B__typename%7D&variables=%7B`, { headers: { authorization: `Bearer ${g.simulator.demoToken}` }, signal: AbortSignal.timeout(5_000) }),
        await fetch(`${g.url}?query=%7B__typename%7D&extensions=nope`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' }, signal: AbortSignal.timeout(5_000) }),
        await fetch(g.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' },
          body: 'query=%7B__typename%7D&extensions=nope',
          signal: AbortSignal.timeout(5_000),
        }),
      ];
      for (const response of answers) {
        expect(response.status).toBe(400);
        const body = (await response.json()) as Body;
        expect(body.errors).toEqual([{ message: 'The `variables` and `extensions` parameters must be JSON when given.', extensions: { code: 'BAD_REQUEST' } }]);
      }
      expect(g.simulator.requests).toHaveLength(0);
    }
  });

  it.each<[string, Array<[string, string]>]>([
    ['no operations field', [['x', '1']]],
    ['operations that are not JSON', [['operations', '{'], ['map', '{}']]],
    ['a map that is not JSON', [['operations', '{"query":"{ __typename }"}'], ['map', '{']]],
  ])('refuses a multipart body with %s with 400 BAD_REQUEST', async (_what, fields) => {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    const response = await fetch(gw.url, { method: 'POST', headers: { 'x-graphql-yoga-csrf': '1' }, body: form, signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Body).errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('refuses a chunked multipart body over the size limit with 413 REQUEST_ENTITY_TOO_LARGE, as a JSON one', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: 'mutation($f: Upload) { __typename }', variables: { f: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([new Uint8Array(200_000)]), 'big.bin');
    // Sent as a stream, so without a Content-Length: the limit binds while the body is read.
    const bytes = new Uint8Array(await new Response(form).arrayBuffer());
    const contentType = new Response(form).headers.get('content-type')!;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(bytes.subarray(at, at + 16_384));
        controller.close();
      },
    });
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${gw.simulator.demoToken}` },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(5_000),
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as Body).errors?.[0]?.extensions).toEqual({ code: 'REQUEST_ENTITY_TOO_LARGE' });
  });

  it("passes on no text of the JSON parser's for a body that is not JSON (it quotes the body), on both doors", async () => {
    for (const [, g] of doors()) {
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        const { status, text } = await g.post('{"query": nope', { accept });
        expect(status).toBe(400);
        expect(text).not.toMatch(/nope|Unexpected token|position/);
      }
    }
  });

  it('refuses a compressed body with 415 UNSUPPORTED_MEDIA_TYPE, before any GraphQL work', async () => {
    gw.simulator.clearRequests();
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${gw.simulator.demoToken}` },
      body: JSON.stringify({ query: '{ wallets(first: 1) { nodes { id } } }' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as Body).errors?.[0]?.extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('refuses a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${gw.simulator.demoToken}` }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(415);
    expect(((await response.json()) as Body).errors?.[0]?.extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers a subscription asked for as JSON with 406 NOT_ACCEPTABLE that says to ask for an event stream, on both doors', async () => {
    for (const [, g] of doors()) {
      const id = String(g.simulator.putWallet(g.simulator.demoToken, { state: 'Waiting' }).id);
      const response = await fetch(g.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${g.simulator.demoToken}` },
        body: JSON.stringify({ query: 'subscription($id: ID!) { walletChanged(id: $id) { id } }', variables: { id } }),
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status).toBe(406);
      const body = (await response.json()) as Body;
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'NOT_ACCEPTABLE' });
      expect(body.errors?.[0]?.message).toContain('text/event-stream');
    }
  });

  it('answers OPERATION_RESOLUTION_FAILURE for two operations and no name, or a name the document lacks', async () => {
    for (const operationName of [undefined, 'C']) {
      const { status, body } = (await gw.post(JSON.stringify({ query: 'query A { __typename } query B { __typename }', operationName }))) as { status: number; body: Body };
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_RESOLUTION_FAILURE' });
    }
  });

  it.each(['/graphql?query=%7B__typename%7D', '/health', '/metrics', '/readiness'])('answers a malformed Host header with 400 BAD_REQUEST in JSON, never a stack (GET %s)', async (path) => {
    for (const [, g] of doors()) {
      const answer = await rawRequest(g.origin, `GET ${path} HTTP/1.1\r\nhost: a b\r\nauthorization: Bearer ${g.simulator.demoToken}`);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toContain('application/json');
      expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: 'The Host header is not a valid host name.', extensions: { code: 'BAD_REQUEST' } }] });
    }
  });

  it('routes by the path alone: a Host header naming another path does not reach the readiness endpoint', async () => {
    for (const [, g] of doors()) {
      const body = JSON.stringify({ query: '{ __typename }' });
      const answer = await rawRequest(g.origin, `POST /graphql HTTP/1.1\r\nhost: x/readiness#\r\ncontent-type: application/json\r\nauthorization: Bearer ${g.simulator.demoToken}`, body);
      expect(answer.status).toBe(400);
      expect(answer.body).not.toContain('"ready"');
      const valid = await rawRequest(g.origin, `POST /graphql HTTP/1.1\r\nhost: gateway.internal:8080\r\ncontent-type: application/json\r\nauthorization: Bearer ${g.simulator.demoToken}`, body);
      expect(JSON.parse(valid.body)).toEqual({ data: { __typename: 'Query' } });
    }
  });
});
