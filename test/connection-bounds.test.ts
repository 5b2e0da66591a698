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
  /** What the gateway has sent so far. */
  received: () => string;
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
  return { socket, closed, received: () => received };
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

describe('operations in flight', () => {
  let gw: TestGateway;
  let walletId: string;
  beforeAll(async () => {
    gw = await startGateway({ env: { HTTP_MAX_OPERATIONS_IN_FLIGHT: '4', HTTP_MAX_OPERATIONS_PER_CONNECTION: '2' } });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
  });
  afterAll(() => gw.close());

  const read = () => JSON.stringify({ query: 'query($id: ID!) { wallet(id: $id) { id } }', variables: { id: walletId } });
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.simulator.demoToken}`, ...headers },
      body,
      signal: AbortSignal.timeout(waitMs),
    });
  const refusedCount = async () => {
    const text = await (await fetch(`${gw.origin}/metrics`, { signal: AbortSignal.timeout(waitMs) })).text();
    return Number(/^gateway_requests_refused_total (\d+)$/m.exec(text)?.[1]);
  };
  /** The demo caller's POST of `body`, byte for byte, to send on a connection of the test's own. */
  const rawPost = (body: string) => `${head(gw, `authorization: Bearer ${gw.simulator.demoToken}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`)}\r\n${body}`;
  /** Runs `test` with Clumio answering after `ms` and its request log cleared; then at once again. */
  async function withSlowClumio(ms: number, test: () => Promise<void>): Promise<void> {
    gw.simulator.clearRequests();
    gw.simulator.setLatency(ms);
    try {
      await test();
    } finally {
      gw.simulator.setLatency(0);
    }
  }

  it('past the bound, answers 503 OVERLOADED at once, with Retry-After and without a Clumio call, and serves again once operations end', async () => {
    await withSlowClumio(3_000, async () => {
      const refusedBefore = await refusedCount();
      // Six operations from six connections (one each, so that only the bound in all binds).
      const answers = Array.from({ length: 6 }, () => post(read(), { connection: 'close' }));
      const statuses = await Promise.all(answers.map(async (pending) => {
        const response = await pending;
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { errors?: Array<{ extensions: { code: string } }> } };
      }));
      const refused = statuses.filter((s) => s.status === 503);
      expect(refused).toHaveLength(2);
      for (const { retryAfter, body } of refused) {
        expect(retryAfter).toBe('1');
        expect(body.errors?.[0]?.extensions.code).toBe('OVERLOADED');
      }
      expect(statuses.filter((s) => s.status === 200)).toHaveLength(4);
      expect(gw.simulator.requests).toHaveLength(4);
      expect((await refusedCount()) - refusedBefore).toBe(2);
    });
    const again = await post(read());
    expect(await again.json()).toEqual({ data: { wallet: { id: walletId } } });
  });

  it("a browser past the bound has its preflight answered, and can read the 503 and its Retry-After", async () => {
    await withSlowClumio(3_000, async () => {
      const pending = Array.from({ length: 4 }, () => post(read(), { connection: 'close' }));
      await until(() => gw.simulator.requests.length === 4);
      const origin = 'http://localhost:5173';
      const preflight = await fetch(gw.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        signal: AbortSignal.timeout(waitMs),
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      const refused = await post(read(), { origin });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
      expect(refused.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
      await Promise.all(pending.map(async (p) => (await p).arrayBuffer()));
    });
  });

  it('one connection pipelining requests has at most its share in flight: the rest are refused in order, and none reaches Clumio', async () => {
    await withSlowClumio(1_000, async () => {
      const held = await hold(gw, rawPost(read()).repeat(5));
      const answers = await new Promise<string[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not every pipelined request was answered: ${held.received()}`)), waitMs);
        const check = () => {
          const seen = [...held.received().matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!);
          if (seen.length === 5) {
            clearTimeout(timer);
            resolve(seen);
          }
        };
        held.socket.on('data', check);
      });
      expect(answers).toEqual(['200', '200', '503', '503', '503']);
      expect(gw.simulator.requests).toHaveLength(2);
      held.socket.destroy();
    });
  });

  it("a connection pipelining large bodies is not read past its share until the ones before are answered", async () => {
    await withSlowClumio(3_000, async () => {
      const filler = 'f'.repeat(60_000);
      const body = JSON.stringify({ query: 'query($id: ID!) { wallet(id: $id) { id } }', variables: { id: walletId }, extensions: { filler } });
      const request = rawPost(body);
      const refusedBefore = await refusedCount();
      const held = await hold(gw);
      // 300 requests of 60 KB, written as fast as the gateway takes them.
      let written = 0;
      const write = () => {
        while (written < 300 && held.socket.write(request)) written++;
        if (written < 300) held.socket.once('drain', () => {
          written++;
          write();
        });
      };
      write();
      await until(() => gw.simulator.requests.length === 2);
      // While its first two wait for Clumio, the gateway has refused at most a few (their bodies
      // are left unread, which stops the connection) and sent nothing more to Clumio.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(gw.simulator.requests).toHaveLength(2);
      expect((await refusedCount()) - refusedBefore).toBeLessThanOrEqual(5);
      held.socket.destroy();
    });
  });
});
