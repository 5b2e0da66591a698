import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.js';
import { openSse } from './support/sse.js';
import { until } from './support/wait.js';
import { seedWallets } from './support/wallets.js';

// Node's own defaults: headers 60 s, whole request 300 s, no cap. Every wait below is far
// shorter, so a gateway without its bounds fails these tests instead of passing slowly.
const waitMs = 10_000;

interface Held {
  socket: Socket;
  /** What the gateway sent before it closed the connection. */
  closed: Promise<string>;
}

/** Opens a connection to the gateway, sends `bytes` (nothing when empty) and keeps it open. */
async function hold(gw: TestGateway, bytes = ''): Promise<Held> {
  const { port } = new URL(gw.origin);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (bytes) socket.write(bytes);
  return { socket, closed };
}

/** Resolves with what the gateway sent once it has closed the connection; rejects past `waitMs`. */
function closedBy(held: Held): Promise<string> {
  return Promise.race([
    held.closed,
    new Promise<string>((_resolve, reject) => setTimeout(() => reject(new Error('the gateway kept the connection open')), waitMs).unref()),
  ]);
}

const connections = (gw: TestGateway) => new Promise<number>((resolve, reject) => gw.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

const query = JSON.stringify({ query: '{ __typename }' });
const head = (gw: TestGateway, extra = '') =>
  `POST /graphql HTTP/1.1\r\nhost: ${new URL(gw.origin).host}\r\ncontent-type: application/json\r\nx-graphql-yoga-csrf: 1\r\n${extra}`;

describe('slow and idle connections', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '2000', SUBSCRIPTION_POLL_INTERVAL_MS: '500' },
    });
  });
  afterAll(() => gw.close());

  it('a connection that never finishes its headers is answered 408 and closed, 50 of them at once', async () => {
    const slow = await Promise.all(Array.from({ length: 50 }, () => hold(gw, head(gw, `x-padding: ${'p'.repeat(8_000)}\r\n`))));
    const answers = await Promise.all(slow.map(closedBy));
    expect(answers.every((a) => a.startsWith('HTTP/1.1 408'))).toBe(true);
    await until(async () => (await connections(gw)) === 0);
  });

  it('a connection that never sends a byte is closed', async () => {
    const silent = await Promise.all(Array.from({ length: 20 }, () => hold(gw)));
    await Promise.all(silent.map(closedBy));
  });

  it('a request whose body never finishes is answered 408 and closed, on both paths', async () => {
    for (const accept of ['application/json', 'text/event-stream']) {
      const half = await hold(gw, `${head(gw, `accept: ${accept}\r\ncontent-length: ${query.length + 100}\r\n`)}\r\n${query}`);
      expect(await closedBy(half)).toMatch(/^HTTP\/1\.1 408/);
    }
  });

  it('an open subscription stream outlives the header and request timeouts', async () => {
    const id = seedWallets(gw.simulator, 'connection-bounds-subscriber', 1)[0]!;
    const watch = 'subscription($id: ID!) { walletChanged(id: $id) { id state } }';
    const stream = await openSse(gw.url, { query: watch, variables: { id } }, { token: 'connection-bounds-subscriber' });
    expect((await stream.next())?.data?.data?.walletChanged).toMatchObject({ id, state: 'WAITING' });
    // Both timeouts pass (a request whose body never finishes is cut by the later one) ...
    const half = await hold(gw, `${head(gw, `content-length: ${query.length + 100}\r\n`)}\r\n${query}`);
    expect(await closedBy(half)).toMatch(/^HTTP\/1\.1 408/);
    // ... and the stream still carries the next change.
    gw.simulator.installStack(id);
    expect((await stream.next(waitMs))?.data?.data?.walletChanged).toMatchObject({ id, state: 'ENABLED' });
    stream.close();
  });

  it('an idle keep-alive connection is closed after its answer, as the configured keep-alive says', async () => {
    const client = await hold(gw, `${head(gw, `content-length: ${query.length}\r\n`)}\r\n${query}`);
    const answer = await closedBy(client);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain('keep-alive: timeout=2\r\n');
    expect(answer).toContain('"__typename":"Query"');
  });
});

describe('the connection cap', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { HTTP_MAX_CONNECTIONS: '10', HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '60000' } });
  });
  afterAll(() => gw.close());

  it('closes connections past the cap unanswered, and serves again once connections are freed', async () => {
    const held = await Promise.all(Array.from({ length: 10 }, () => hold(gw, head(gw))));
    await until(async () => (await connections(gw)) === 10);

    const extra = await Promise.all(Array.from({ length: 5 }, () => hold(gw, `${head(gw, `content-length: ${query.length}\r\n`)}\r\n${query}`)));
    const refused = await Promise.all(extra.map(closedBy));
    expect(refused).toEqual(['', '', '', '', '']);
    expect(await connections(gw)).toBe(10);

    for (const { socket } of held) socket.destroy();
    await until(async () => (await connections(gw)) === 0);
    const { body } = await gw.gql('{ __typename }');
    expect(body).toEqual({ data: { __typename: 'Query' } });
  });
});
