import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { apolloAccept, urqlAccept } from './support/client-accept.js';
import { closeServer, listen } from './support/gateway.js';
import { memoryLogger, type MemoryLogger } from './support/memory-logger.js';
import { rawRequest } from './support/raw-http.js';

/**
 * The same requests to two gateways on one simulator: one serving plain JSON operations through
 * its own door and running every operation compiled (graphql-jit, from its first run), one
 * sending everything through Yoga's door to Yoga's own executor. Both must answer alike, byte
 * for byte: the doors, and the compiled execution against graphql-js's.
 */
interface Served {
  app: App;
  server: Server;
  url: string;
  log: MemoryLogger;
}

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  /** The names of the headers, and the values of those that do not vary between runs. */
  headers: string[];
  body: unknown;
  // As sent: the order of keys is part of the answer.
  text: string;
}

/** A request to both gateways: a JSON POST of `body`, or a GET of `search` (a query string). */
type Asked =
  | { body: string; search?: undefined; headers?: Record<string, string> }
  | { search: string; body?: undefined; headers?: Record<string, string>; method?: 'GET' | 'HEAD'; path?: string };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Log lines without what differs between two runs: times, durations, generated request ids.
const varying = new Set(['time', 'pid', 'hostname', 'durationMs']);
function logLines(log: MemoryLogger): Array<Record<string, unknown>> {
  return log.lines().map((entry) => {
    const line = Object.fromEntries(Object.entries(entry).filter(([name]) => !varying.has(name)));
    return typeof line.requestId === 'string' && uuid.test(line.requestId) ? { ...line, requestId: 'generated' } : line;
  });
}

// The operation counters and error counters, without timings.
function operationSeries(scrape: string): string[] {
  return scrape
    .split('\n')
    .filter((line) => line.startsWith('graphql_operation_duration_seconds_count') || line.startsWith('graphql_operation_errors_total'))
    .sort();
}

async function serve(clumioBaseUrl: string, env: Record<string, string>): Promise<Served> {
  const config = loadConfig({ NODE_ENV: 'test', CLUMIO_API_BASE_URL: clumioBaseUrl, LOG_LEVEL: 'silent', CURSOR_SECRET: 'fast-path-test-secret', ...env });
  const log = memoryLogger();
  const app = createApp({ config, clumioBaseUrl, logger: log.logger });
  const server = createServer(app.handler);
  return { app, server, url: `${await listen(server)}/graphql`, log };
}

async function stop(...gateways: Served[]): Promise<void> {
  for (const s of gateways) {
    await closeServer(s.server);
    await s.app.close();
  }
}

const varyingHeaders = new Set(['date', 'keep-alive']);

async function ask(url: string, init: Asked): Promise<Answer> {
  const response =
    init.search === undefined
      ? await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'req-fixed-1', ...init.headers },
          body: init.body,
          signal: AbortSignal.timeout(15_000),
        })
      : await fetch(`${url}${init.path ?? ''}?${init.search}`, { method: init.method ?? 'GET', headers: { 'x-request-id': 'req-fixed-1', ...init.headers }, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  const headers = [...response.headers].map(([name, value]) => (varyingHeaders.has(name) || name === 'content-length' || name === 'x-request-id' ? name : `${name}: ${value}`)).sort();
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), headers, body, text };
}

/** A GET's query string, as urql and Apollo Client write one. */
function search(params: { query?: string; variables?: unknown; operationName?: string; extensions?: unknown; documentId?: string }): string {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) out.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  return out.toString();
}

describe('the fast path', () => {
  let simulator: Simulator;
  let fast: Served;
  let yogaOnly: Served;
  let walletId: string;
  let unshowableId: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    simulator = createSimulator();
    const base = await simulator.listen(0, '127.0.0.1');
    fast = await serve(base, { FAST_PATH: 'true', JIT_COMPILE_AFTER: '1' });
    yogaOnly = await serve(base, { FAST_PATH: 'false', JIT_COMPILE_AFTER: '0' });
    walletId = String(simulator.putWallet(simulator.demoToken, { state: 'Waiting', stack_version: 3_000_000_000 }).id);
    // A stack version above 2^53-1: Int64 refuses to show it (a field error under a nullable field).
    unshowableId = String(simulator.putWallet(simulator.demoToken, { stack_version: 2 ** 60 }).id);
    auth = { authorization: `Bearer ${simulator.demoToken}` };
  });
  afterAll(async () => {
    await stop(fast, yogaOnly);
    await simulator.close();
  });

  const op = (query: string, variables?: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ query, variables, ...extra });
  // [what, whether the gateway's own door answers it (else it hands it to Yoga's), the request]
  const cases: Array<[string, boolean, () => Asked]> = [
    ['a wallet with every field', true, () => ({ body: op('query W($id: ID!) { wallet(id: $id) { id state rawState stackVersion keyErrors { region } actions { canDelete } links { rel href method templated } } }', { id: walletId }), headers: auth })],
    ['a page of wallets', true, () => ({ body: op('{ wallets(first: 3) { edges { node { id } } pageInfo { hasNextPage } } }'), headers: auth })],
    ['a mutation', true, () => ({ body: op('mutation($id: ID!) { refreshWallet(id: $id) { wallet { id state } } }', { id: walletId }), headers: auth })],
    ['a missing wallet', true, () => ({ body: op('{ wallet(id: "nope") { id } }'), headers: auth })],
    ['a mutation on a missing wallet', true, () => ({ body: op('mutation { deleteWallet(id: "nope") { deletedWalletId } }'), headers: auth })],
    ['no token', true, () => ({ body: op('{ wallet(id: "nope-without-token") { id } }') })],
    ['a hostile id', true, () => ({ body: op('{ wallet(id: "../x") { id } }'), headers: auth })],
    ['an unknown field', true, () => ({ body: op('{ wallet(id: "x") { nope } }'), headers: auth })],
    ['a syntax error', true, () => ({ body: op('{ wallet(id: '), headers: auth })],
    ['a variable of the wrong type', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id } }', { id: { a: 1 } }), headers: auth })],
    ['a missing required variable', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id rawState } }'), headers: auth })],
    ['two operations without a name', true, () => ({ body: op('query A { __typename } query B { __typename }'), headers: auth })],
    ['two anonymous operations, one invalid', true, () => ({ body: op('query { __typename } query { nope }'), headers: auth })],
    ['an invalid operation, another one named', true, () => ({ body: op('query A { nope }', undefined, { operationName: 'B' }), headers: auth })],
    ['a chosen operation', true, () => ({ body: op('query A { __typename } query B { __typename }', undefined, { operationName: 'B' }), headers: auth })],
    ['a document too deep', true, () => ({ body: op(`{ ${'wallets { nodes { '.repeat(8)}id${' } }'.repeat(8)} }`), headers: auth })],
    ['too many aliases', true, () => ({ body: op(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: wallet(id: "x") { id }`).join(' ')} }`), headers: auth })],
    ['more calls than the budget allows', true, () => ({ body: op(`{ ${Array.from({ length: 29 }, (_, i) => `w${i}: wallet(id: "id-${i}") { id }`).join(' ')} }`), headers: auth })],
    ['a subscription asked for as JSON', false, () => ({ body: op('subscription($id: ID!) { walletChanged(id: $id) { id } }', { id: walletId }), headers: { ...auth, accept: 'application/json' } })],
    ['invalid JSON', false, () => ({ body: '{"query": ', headers: auth })],
    ['a JSON array (a batch)', false, () => ({ body: JSON.stringify([{ query: '{ __typename }' }]), headers: auth })],
    ['an unknown parameter', false, () => ({ body: JSON.stringify({ query: '{ __typename }', extra: 1 }), headers: auth })],
    ['a query that is not a string', false, () => ({ body: JSON.stringify({ query: 42 }), headers: auth })],
    ['no query at all', false, () => ({ body: JSON.stringify({ variables: {} }), headers: auth })],
    ['a persisted-query extension only', false, () => ({ body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }), headers: auth })],
    ['an explicit JSON accept header', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'application/json' } })],
    ['what Apollo Client and urql accept', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id state } }', { id: walletId }), headers: { ...auth, accept: 'application/graphql-response+json, application/json' } })],
    ['only graphql-response+json', true, () => ({ body: op('{ wallet(id: "x") { id } }'), headers: { ...auth, accept: 'application/graphql-response+json' } })],
    ['a validation error as graphql-response+json', true, () => ({ body: op('{ wallet(id: "x") { nope } }'), headers: { ...auth, accept: 'application/graphql-response+json' } })],
    ['a syntax error as graphql-response+json', true, () => ({ body: op('{ wallet('), headers: { ...auth, accept: 'application/graphql-response+json;charset=utf-8' } })],
    ['an unauthenticated read as graphql-response+json', true, () => ({ body: op('{ wallet(id: "y") { id } }'), headers: { accept: 'application/graphql-response+json' } })],
    // Execution itself: every completion rule the compiled plans follow, against Yoga's executor.
    ['fragments, aliases and __typename at every level', true, () => ({ body: op('query W($id: ID!) { __typename w: wallet(id: $id) { __typename ...F ... on Wallet { state s: state } actions { __typename d: canDelete canDelete } } } fragment F on Wallet { id accountNativeId installedRegions links { __typename rel } }', { id: walletId }), headers: auth })],
    ['@include and @skip as literals', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id state @include(if: false) rawState @skip(if: false) ... @include(if: true) { awsRegion } } }', { id: walletId }), headers: auth })],
    ['@include reading a variable', true, () => ({ body: op('query($id: ID!, $all: Boolean!) { wallet(id: $id) { id state @include(if: $all) } }', { id: walletId, all: false }), headers: auth })],
    ['a whole page: edges, cursors, nodes, pageInfo', true, () => ({ body: op('{ wallets(first: 4) { edges { cursor node { id stackVersion } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }'), headers: auth })],
    ['a value Int64 cannot show', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id stackVersion state } }', { id: unshowableId }), headers: auth })],
    ['entities: repeated, unknown and hostile ids', true, () => ({ body: op('query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Wallet { id state } } }', { r: [{ __typename: 'Wallet', id: walletId }, { __typename: 'Wallet', id: walletId }, { __typename: 'Wallet', id: 'missing-1' }, { __typename: 'Wallet', id: '../x' }, { __typename: 'Wallet', id: unshowableId }] }), headers: auth })],
    ['entities: the last one failing', true, () => ({ body: op('query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id } } }', { r: [{ __typename: 'Wallet', id: walletId }, { __typename: 'Wallet', id: { id: 'w' } }] }), headers: auth })],
    ['entities: a representation that is not one', true, () => ({ body: op('query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id } } }', { r: [{ __typename: 'Wallet', id: walletId }, 7] }), headers: auth })],
    ['the service SDL', true, () => ({ body: op('{ _service { sdl } }'), headers: auth })],
    ['a __proto__ alias', true, () => ({ body: op('query($id: ID!) { __proto__: __typename wallet(id: $id) { __proto__: id constructor: state } }', { id: walletId }), headers: auth })],
    ['two mutations, run in order, the second failing', true, () => ({ body: op('mutation($id: ID!) { a: refreshWallet(id: $id) { wallet { id state } } b: deleteWallet(id: "nope") { deletedWalletId } c: refreshWallet(id: $id) { wallet { id } } }', { id: walletId }), headers: auth })],
    // The answer's media type, chosen as Yoga chooses it.
    ['what urql accepts', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id state } }', { id: walletId }), headers: { ...auth, accept: urqlAccept } })],
    ['a stream type before a JSON one', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'text/event-stream, application/json' } })],
    ['multipart before graphql-response+json', true, () => ({ body: op('{ wallet(id: "x") { nope } }'), headers: { ...auth, accept: 'multipart/mixed, application/graphql-response+json' } })],
    ['another charset, skipped', true, () => ({ body: op('{ wallet(id: "x") { id } }'), headers: { ...auth, accept: 'application/json; charset=iso-8859-1, application/graphql-response+json' } })],
    ['any application type', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'application/*' } })],
    ['no JSON type at all', false, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'text/html' } })],
    // A browser's requests (CORS): the headers Yoga's CORS plugin adds.
    ['a browser\'s POST', true, () => ({ body: op('query($id: ID!) { wallet(id: $id) { id state } }', { id: walletId }), headers: { ...auth, origin: 'https://app.example', accept: apolloAccept } })],
    ['a browser\'s GET, as urql sends it', true, () => ({ search: search({ query: '{ wallets(first: 2) { nodes { id } } }' }), headers: { ...auth, origin: 'https://app.example', accept: urqlAccept } })],
    ['a browser\'s request naming a method and headers', true, () => ({ body: op('{ wallet(id: "x") { id } }'), headers: { ...auth, origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' } })],
    ['a browser\'s request refused at validation', true, () => ({ body: op('{ wallet(id: "x") { nope } }'), headers: { ...auth, origin: 'https://app.example', accept: 'application/graphql-response+json' } })],
    ['a browser\'s request from an opaque origin', true, () => ({ body: op('{ wallet(id: "x") { id } }'), headers: { ...auth, origin: 'null' } })],
    ['a browser\'s GET of a mutation', false, () => ({ search: search({ query: 'mutation { deleteWallet(id: "nope") { deletedWalletId } }' }), headers: { ...auth, origin: 'https://app.example' } })],
    ['a browser\'s form post (CSRF)', false, () => ({ body: op('{ __typename }'), headers: { origin: 'https://evil.example', 'content-type': 'text/plain' } })],
    // GET, as urql sends a query by default.
    ['a GET query, as urql sends it', true, () => ({ search: search({ query: 'query W($id: ID!) { wallet(id: $id) { id state rawState links { rel href } } }', variables: { id: walletId }, operationName: 'W' }), headers: { ...auth, accept: urqlAccept } })],
    ['a GET page of wallets', true, () => ({ search: search({ query: '{ wallets(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }' }), headers: auth })],
    ['a GET choosing one of two operations', true, () => ({ search: search({ query: 'query A { __typename } query B { wallet(id: "x") { id } }', operationName: 'B' }), headers: auth })],
    ['a GET with parameters GraphQL does not know', true, () => ({ search: `${search({ query: '{ __typename }' })}&utm_source=x&query2=1`, headers: auth })],
    ['a GET with a preflight header and no token', true, () => ({ search: search({ query: '{ wallet(id: "z") { id } }' }), headers: { 'apollo-require-preflight': 'true' } })],
    ['a GET without a preflight header (CSRF)', false, () => ({ search: search({ query: '{ __typename }' }) })],
    ['a GET of a mutation', false, () => ({ search: search({ query: 'mutation($id: ID!) { refreshWallet(id: $id) { wallet { id } } }', variables: { id: walletId } }), headers: auth })],
    ['a GET of an invalid mutation', false, () => ({ search: search({ query: 'mutation { nope }' }), headers: auth })],
    ['a GET of a mutation over the alias limit', false, () => ({ search: search({ query: `mutation { ${Array.from({ length: 40 }, (_, i) => `a${i}: deleteWallet(id: "x") { deletedWalletId }`).join(' ')} }` }), headers: auth })],
    ['a GET naming an operation the document lacks', true, () => ({ search: search({ query: 'query A { __typename }', operationName: 'B' }), headers: auth })],
    ['a GET with a syntax error', true, () => ({ search: search({ query: '{ wallet(' }), headers: auth })],
    ['a GET with an unknown field', true, () => ({ search: search({ query: '{ wallet(id: "x") { nope } }' }), headers: auth })],
    ['a GET whose variables are not JSON', false, () => ({ search: `${search({ query: 'query($id: ID!) { wallet(id: $id) { id } }' })}&variables=%7Bid`, headers: auth })],
    ['a GET whose variables are not an object', false, () => ({ search: search({ query: 'query($id: ID!) { wallet(id: $id) { id } }', variables: [1] }), headers: auth })],
    ['a GET with an empty query', false, () => ({ search: 'query=&variables=%7B%7D', headers: auth })],
    ['a GET whose variables do not coerce', true, () => ({ search: search({ query: 'query($id: ID!) { wallet(id: $id) { id } }', variables: { id: { a: 1 } } }), headers: auth })],
    ['a GET repeating a parameter', true, () => ({ search: `${search({ query: 'query A { __typename }' })}&query=${encodeURIComponent('query B { nope }')}&operationName=`, headers: auth })],
    ['a GET with + for spaces', true, () => ({ search: 'query=query+W+%7B+__typename+%7D', headers: auth })],
    ['a GET with a bad percent-encoding', true, () => ({ search: 'query=%7B+__typename+%7D%ZZ', headers: auth })],
    ['a GET asking for a charset', true, () => ({ search: search({ query: '{ __typename }' }), headers: { ...auth, accept: 'application/json; charset=utf-8' } })],
    ['a GET from a browser tab (GraphiQL\'s page)', false, () => ({ search: search({ query: '{ __typename }' }), headers: { ...auth, accept: 'text/html, application/json' } })],
    ['a GET whose URL ends in /health', false, () => ({ search: `${search({ query: '{ __typename }' })}&next=/health`, headers: auth })],
    ['a HEAD', false, () => ({ search: search({ query: '{ __typename }' }), method: 'HEAD', headers: auth })],
    ['a GET of /graphql/', false, () => ({ search: search({ query: '{ __typename }' }), path: '/', headers: auth })],
    ['any type', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: '*/*' } })],
    ['any type of JSON', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: '*/json' } })],
    ['JSON with a quality of zero', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'application/json;q=0' } })],
    ['upper case', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: 'APPLICATION/GRAPHQL-RESPONSE+JSON' } })],
    ['malformed entries before JSON', true, () => ({ body: op('{ __typename }'), headers: { ...auth, accept: ', ,application,*, application/json' } })],
    ['a GET of a subscription asked for as JSON', false, () => ({ search: search({ query: 'subscription($id: ID!) { walletChanged(id: $id) { id } }', variables: { id: walletId } }), headers: { ...auth, accept: 'application/json' } })],
  ];
  // Asked twice: the first time the document store parses and validates the document, the
  // second time it answers from its cache (both doors read the same store).
  it.each(cases)('answers %s exactly as Yoga does, the first time and once known', async (_name, onOwnDoor, make) => {
    const request = make();
    const before = fast.app.handler.jsonDoorCount;
    const first = [await ask(fast.url, request), await ask(yogaOnly.url, request)];
    expect(first[0]).toEqual(first[1]);
    const second = [await ask(fast.url, request), await ask(yogaOnly.url, request)];
    expect(second[0]).toEqual(second[1]);
    expect(fast.app.handler.jsonDoorCount - before).toBe(onOwnDoor ? 2 : 0);
    expect(yogaOnly.app.handler.jsonDoorCount).toBe(0);
    expect(yogaOnly.app.compiledRuns).toBe(0);
  });

  it('ran every operation of the cases above compiled, except those graphql-js must answer', () => {
    // Refused before execution (parse, validation, parameters), variables that do not coerce
    // (graphql-js words the refusal) and a __proto__ alias (graphql-jit would set a prototype).
    const notCompiled = new Set([
      'an unknown field', 'a syntax error', 'two operations without a name', 'two anonymous operations, one invalid', 'an invalid operation, another one named', 'a document too deep', 'too many aliases',
      'a validation error as graphql-response+json', 'a syntax error as graphql-response+json',
      'a variable of the wrong type', 'a missing required variable', 'a __proto__ alias',
      'a browser\'s request refused at validation', 'a GET naming an operation the document lacks', 'a GET with a syntax error', 'a GET with an unknown field', 'a GET whose variables do not coerce',
    ]);
    const compiled = cases.filter(([name, onOwnDoor]) => onOwnDoor && !notCompiled.has(name));
    expect(fast.app.compiledRuns).toBe(2 * compiled.length);
  });

  it('leaves CORS preflights and answers as a stream to Yoga, which answers the preflight alike', async () => {
    const before = fast.app.handler.jsonDoorCount;
    const preflights = [];
    for (const { url } of [fast, yogaOnly]) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        signal: AbortSignal.timeout(5_000),
      });
      preflights.push({ status: preflight.status, headers: [...preflight.headers].filter(([name]) => !varyingHeaders.has(name) && name !== 'x-request-id') });
      await ask(url, { body: op('{ __typename }'), headers: { ...auth, accept: 'multipart/mixed' } });
      await ask(url, { search: search({ query: '{ __typename }' }), headers: { ...auth, accept: 'text/event-stream' } });
    }
    expect(preflights[0]).toEqual(preflights[1]);
    expect(preflights[0]!.status).toBe(204);
    expect(fast.app.handler.jsonDoorCount).toBe(before);
  });

  it('answers trusted-documents mode alike: a manifest document runs, anything else is refused the same way', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../src/generated/client/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>;
    const [id, document] = Object.entries(manifest).find(([, text]) => text.includes('query Wallets'))!;
    const hash = id.replace(/^sha256:/, '');
    const base = simulator.url;
    const trustedFast = await serve(base, { TRUSTED_DOCUMENTS: 'true', FAST_PATH: 'true', JIT_COMPILE_AFTER: '1' });
    const trustedYoga = await serve(base, { TRUSTED_DOCUMENTS: 'true', FAST_PATH: 'false', JIT_COMPILE_AFTER: '0' });
    try {
      const bodies = [
        JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables: { first: 2 } }),
        JSON.stringify({ query: document, variables: { first: 2 } }),
        JSON.stringify({ query: '{ wallets { nodes { id } } }' }),
        JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
        // GraphQL-over-HTTP's form, as docs/frontends.md shows it: the manifest key, a bare hash, junk.
        JSON.stringify({ documentId: id, variables: { first: 2 } }),
        JSON.stringify({ documentId: hash, operationName: 'Wallets', variables: { first: 1 } }),
        JSON.stringify({ documentId: 42 }),
      ];
      const answers = [];
      for (const body of bodies) {
        const request = { body, headers: auth };
        const [a, b] = [await ask(trustedFast.url, request), await ask(trustedYoga.url, request)];
        expect(a).toEqual(b);
        answers.push(a);
      }
      expect((answers[0]!.body as { data?: unknown }).data).toBeTruthy();
      expect(JSON.stringify(answers[2]!.body)).toContain('PERSISTED_QUERY_ONLY');
      expect(JSON.stringify(answers[3]!.body)).toContain('PERSISTED_QUERY_NOT_FOUND');
      expect((answers[4]!.body as { data?: unknown }).data).toBeTruthy();
      expect((answers[5]!.body as { data?: unknown }).data).toBeTruthy();
      expect(JSON.stringify(answers[6]!.body)).toContain('PERSISTED_QUERY_ONLY');
      expect(trustedFast.app.handler.jsonDoorCount).toBe(bodies.length);
      // As GETs: the manifest document by its id (the GraphQL-over-HTTP form) and by its hash
      // (the APQ form), and its text refused.
      const gets = [
        search({ documentId: id, variables: { first: 2 } }),
        search({ query: document, variables: { first: 2 } }),
        search({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables: { first: 1 } }),
      ];
      for (const query of gets) {
        const request = { search: query, headers: auth };
        const [a, b] = [await ask(trustedFast.url, request), await ask(trustedYoga.url, request)];
        expect(a).toEqual(b);
        answers.push(a);
      }
      expect((answers[bodies.length]!.body as { data?: unknown }).data).toBeTruthy();
      expect(JSON.stringify(answers[bodies.length + 1]!.body)).toContain('PERSISTED_QUERY_ONLY');
      expect((answers[bodies.length + 2]!.body as { data?: unknown }).data).toBeTruthy();
      expect(trustedFast.app.handler.jsonDoorCount).toBe(bodies.length + gets.length);
      // Each path counted the same operations with the same outcomes.
      expect(operationSeries(await trustedFast.app.metrics.exposition())).toEqual(operationSeries(await trustedYoga.app.metrics.exposition()));
    } finally {
      await stop(trustedFast, trustedYoga);
    }
  });

  it('counts every operation of the cases above in the metrics exactly as Yoga does', async () => {
    const fastSeries = operationSeries(await fast.app.metrics.exposition());
    expect(fastSeries.length).toBeGreaterThan(5);
    expect(fastSeries).toEqual(operationSeries(await yogaOnly.app.metrics.exposition()));
  });

  it('logs every operation of the cases above, and its Clumio calls, exactly as Yoga does', () => {
    const lines = logLines(fast.log);
    // Every case the gateway's own door answers is an operation (the others may be refused before one).
    expect(lines.filter((line) => line.msg === 'operation').length).toBeGreaterThanOrEqual(2 * cases.filter(([, onOwnDoor]) => onOwnDoor).length);
    expect(lines.some((line) => line.msg === 'operation' && line.outcome === 'error')).toBe(true);
    expect(lines).toEqual(logLines(yogaOnly.log));
  });

  it('answers alike in production mode too (masked errors, no suggestions, no introspection)', async () => {
    const base = simulator.url;
    const prodFast = await serve(base, { NODE_ENV: 'production', FAST_PATH: 'true', JIT_COMPILE_AFTER: '1' });
    const prodYoga = await serve(base, { NODE_ENV: 'production', FAST_PATH: 'false', JIT_COMPILE_AFTER: '0' });
    try {
      const answers: Answer[] = [];
      for (const body of [op('{ walet(id: "x") { id } }'), op('{ __schema { types { name } } }'), op('{ wallet(id: "x") { id } }')]) {
        const request = { body, headers: auth };
        const answer = await ask(prodFast.url, request);
        expect(answer).toEqual(await ask(prodYoga.url, request));
        answers.push(answer);
      }
      const [typo, introspection, missing] = answers as [Answer, Answer, Answer];
      // What production leaves out: a suggestion for the misspelt field, the schema, any stack.
      expect(typo.text).toContain('walet');
      expect(typo.text).not.toMatch(/did you mean/i);
      expect((introspection.body as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/introspection has been disabled/);
      expect(introspection.body).not.toHaveProperty('data');
      expect(missing.body).toEqual({ data: { wallet: null } });
      for (const answer of answers) expect(answer.text).not.toMatch(/"stack"|originalError/);
      for (const query of ['{ walet(id: "x") { id } }', '{ wallet(id: "x") { id } }']) {
        const request = { search: search({ query }), headers: { ...auth, accept: 'text/html, application/json' } };
        expect(await ask(prodFast.url, request)).toEqual(await ask(prodYoga.url, request));
        const plain = { search: search({ query }), headers: auth };
        expect(await ask(prodFast.url, plain)).toEqual(await ask(prodYoga.url, plain));
      }
      // Without GraphiQL (production), a GET accepting text/html is an operation like any other.
      expect(prodFast.app.handler.jsonDoorCount).toBe(7);
    } finally {
      await stop(prodFast, prodYoga);
    }
  });

  it('reads a body that arrives in parts, a character split between two of them, as the body whole', async () => {
    // "é" is two bytes in UTF-8: the first part ends between them.
    const body = Buffer.from(op('query W($id: ID!) { wallet(id: $id) { id state } } # café', { id: walletId }));
    const split = body.indexOf(Buffer.from('é')) + 1;
    const before = fast.app.handler.jsonDoorCount;
    // The second part once the gateway has read the first on its own.
    const answer = await rawRequest(new URL(fast.url).origin, `POST /graphql HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: ${auth.authorization}`, [body.subarray(0, split), body.subarray(split)]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { wallet: { id: walletId, state: 'WAITING' } } });
    expect(fast.app.handler.jsonDoorCount - before).toBe(1);
  });
});
