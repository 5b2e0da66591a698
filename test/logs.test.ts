import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createSchema as createTestSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { maskError } from '../src/graphql/mask-error.js';
import { createOperationObserver, useObservedOperations } from '../src/graphql/plugins/use-observed-operations.js';
import { useRequestId } from '../src/graphql/plugins/use-request-id.js';
import { createLineLogger, maxQueuedLines, queuedInfo } from '../src/observability/logger.js';
import { createOperationLog } from '../src/observability/operation-log.js';
import { createUnexpectedErrors } from '../src/graphql/unexpected-errors.js';
import { listen, startGateway, type TestGateway } from './support/gateway.js';
import { root } from './support/gateway-process.js';
import { jsonLines, memoryLogger } from './support/memory-logger.js';

const readWallet = 'query ReadWallet($id: ID!) { wallet(id: $id) { id state } }';
const refresh = 'mutation RefreshOne($id: ID!) { refreshWallet(id: $id) { wallet { id } } }';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('operation log', () => {
  const log = memoryLogger('debug');
  let gw: TestGateway;
  let walletId: string;
  const operationLines = () => log.lines().filter((line) => line.msg === 'operation');

  beforeAll(async () => {
    gw = await startGateway({ logger: log.logger });
    walletId = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Enabled' }).id);
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    log.clear();
    gw.simulator.clearRequests();
    gw.simulator.clearFaults();
  });

  it('writes one JSON line per operation with its name, type, duration, outcome and request id', async () => {
    const ok = await gw.gql(readWallet, { id: walletId }, { headers: { 'x-request-id': 'req-ok-1' } });
    expect(ok.body.errors).toBeUndefined();
    const missing = await gw.gql(refresh, { id: 'no-such-wallet-0001' }, { headers: { 'x-request-id': 'req-missing-1' } });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const refused = await gw.gql(readWallet, { id: walletId }, { token: 'not-a-valid-token-1234', headers: { 'x-request-id': 'req-refused-1' } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const lines = operationLines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 30, requestId: 'req-ok-1', operation: 'ReadWallet', type: 'query', outcome: 'ok' });
    expect(lines[0]).not.toHaveProperty('errorCodes');
    expect(lines[1]).toMatchObject({ requestId: 'req-missing-1', operation: 'RefreshOne', type: 'mutation', outcome: 'error', errorCodes: ['NOT_FOUND'] });
    expect(lines[2]).toMatchObject({ requestId: 'req-refused-1', operation: 'ReadWallet', outcome: 'error', errorCodes: ['UNAUTHENTICATED'] });
    for (const line of lines) {
      expect(typeof line.durationMs).toBe('number');
      expect(line.durationMs as number).toBeGreaterThan(0);
      expect(typeof line.time).toBe('number');
    }
  });

  it('logs operations that take the fast path like those Yoga serves', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${gw.simulator.demoToken}`, 'x-request-id': 'req-fast-1' },
      body: JSON.stringify({ query: readWallet, variables: { id: walletId } }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-fast-1');
    expect(operationLines()).toEqual([expect.objectContaining({ requestId: 'req-fast-1', operation: 'ReadWallet', type: 'query', outcome: 'ok' })]);
  });

  it('names anonymous operations "anonymous" and logs failures before execution with their code', async () => {
    await gw.gql(`{ wallet(id: "${walletId}") { id } }`);
    const invalid = await gw.gql('query Broken { wallet(id: 1, nope: 2) { id } }');
    expect(invalid.body.errors?.length).toBeGreaterThan(0);
    const unparsable = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-request-id': 'req-garbage-1' },
      body: '{"query": ',
      signal: AbortSignal.timeout(10_000),
    });
    expect(((await unparsable.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);

    const lines = operationLines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ operation: 'anonymous', type: 'query', outcome: 'ok' });
    expect(lines[1]).toMatchObject({ operation: 'Broken', type: 'query', outcome: 'error' });
    expect(lines[1]!.errorCodes).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(lines[2]).toMatchObject({ requestId: 'req-garbage-1', operation: 'anonymous', type: 'unknown', outcome: 'error' });
  });

  it('never writes the token, the variables, the document or Clumio URLs, even at debug level', async () => {
    const secretToken = 'secret-token-for-log-test-42';
    gw.simulator.addOrganization(secretToken, { seed: false });
    const secretId = String(gw.simulator.putWallet(secretToken, { state: 'Enabled' }).id);
    await gw.gql(readWallet, { id: secretId }, { token: secretToken });
    await gw.gql(refresh, { id: secretId }, { token: secretToken });
    gw.simulator.inject({ kind: 'status', status: 500, times: 10 });
    await gw.gql(readWallet, { id: secretId }, { token: secretToken });

    const raw = log.raw();
    expect(operationLines()).toHaveLength(3);
    // Upstream calls are visible at debug level, by Clumio operation only.
    expect(log.lines().some((line) => line.msg === 'clumio call' && line.clumioOperation === 'getWallet')).toBe(true);
    expect(raw).not.toContain(secretToken);
    expect(raw).not.toContain(secretId);
    expect(raw).not.toContain('wallet(id');
    expect(raw).not.toContain(gw.simulator.url);
    expect(raw).not.toMatch(/bearer/i);
    expect(raw).not.toContain('/wallets/');
  });

  it('returns the caller-given request id, forwards it to Clumio and logs it', async () => {
    const response = await gw.gql(readWallet, { id: walletId }, { headers: { 'x-request-id': 'trip-1234.abc:xyz' } });
    expect(response.headers.get('x-request-id')).toBe('trip-1234.abc:xyz');
    expect(gw.simulator.requests.map((r) => r.headers['x-request-id'])).toEqual(['trip-1234.abc:xyz']);
    expect(operationLines()[0]!.requestId).toBe('trip-1234.abc:xyz');
  });

  it('replaces a malformed request id with a generated one, used everywhere alike', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(200), 'semi;colon']) {
      log.clear();
      gw.simulator.clearRequests();
      const response = await gw.gql(readWallet, { id: walletId }, { headers: { 'x-request-id': bad } });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(uuid);
      expect(gw.simulator.requests.map((r) => r.headers['x-request-id'])).toEqual([id]);
      expect(operationLines().map((line) => line.requestId)).toEqual([id]);
      expect(log.raw()).not.toContain(bad);
    }
  });

  it('generates a request id when none is given', async () => {
    const response = await gw.gql(readWallet, { id: walletId });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(uuid);
    expect(gw.simulator.requests[0]?.headers['x-request-id']).toBe(id);
    expect(operationLines()[0]!.requestId).toBe(id);
  });

  it("generates one on Yoga's door too, where the request is Yoga's own Request object", async () => {
    const yogaLog = memoryLogger('info');
    const yoga = await startGateway({ logger: yogaLog.logger, env: { FAST_PATH: 'false' } });
    try {
      const id = String(yoga.simulator.putWallet(yoga.simulator.demoToken, { state: 'Enabled' }).id);
      const response = await yoga.gql(readWallet, { id });
      expect(response.body.errors).toBeUndefined();
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(uuid);
      expect(yoga.simulator.requests.at(-1)?.headers['x-request-id']).toBe(requestId);
      expect(yogaLog.lines().filter((line) => line.msg === 'operation').map((line) => line.requestId)).toEqual([requestId]);
    } finally {
      await yoga.close();
    }
  });
});

describe('operation log of subscriptions', () => {
  const log = memoryLogger('info');
  let gw: TestGateway;
  const operationLines = () => log.lines().filter((line) => line.msg === 'operation');
  beforeAll(async () => {
    gw = await startGateway({ logger: log.logger, env: { SUBSCRIPTION_POLL_INTERVAL_MS: '500' } });
  });
  afterAll(() => gw?.close());

  /** Opens a walletChanged stream over SSE and reads until its first event. */
  async function watch(id: string, requestId: string): Promise<{ controller: AbortController; rest: Promise<string> }> {
    const controller = new AbortController();
    const timeout = AbortSignal.timeout(15_000);
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${gw.simulator.demoToken}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: 'subscription Watch($id: ID!) { walletChanged(id: $id) { id state } }', variables: { id } }),
      signal: AbortSignal.any([controller.signal, timeout]),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: next')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const rest = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text;
          text += decoder.decode(value);
        }
      } catch {
        return text;
      }
    })();
    return { controller, rest };
  }

  it('writes the line of a subscription when its caller leaves', async () => {
    const id = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Waiting' }).id);
    const stream = await watch(id, 'req-watch-1');
    expect(operationLines()).toEqual([]);
    stream.controller.abort();
    await stream.rest;
    await vi.waitFor(() => expect(operationLines()).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(operationLines()[0]).toMatchObject({ requestId: 'req-watch-1', operation: 'Watch', type: 'subscription', outcome: 'ok' });
  });

  it('writes the error that ended a subscription', async () => {
    log.clear();
    const id = String(gw.simulator.putWallet(gw.simulator.demoToken, { state: 'Waiting' }).id);
    const stream = await watch(id, 'req-watch-2');
    const remove = await gw.gql('mutation($id: ID!) { deleteWallet(id: $id) { deletedWalletId } }', { id });
    expect(remove.body.errors).toBeUndefined();
    expect(await stream.rest).toContain('NOT_FOUND');
    await vi.waitFor(() => expect(operationLines().filter((line) => line.type === 'subscription')).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(operationLines().find((line) => line.type === 'subscription')).toMatchObject({
      requestId: 'req-watch-2',
      operation: 'Watch',
      outcome: 'error',
      errorCodes: ['NOT_FOUND'],
    });
  });
});

describe('operation log in trusted-documents mode', () => {
  const log = memoryLogger('info');
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ logger: log.logger, env: { TRUSTED_DOCUMENTS: 'true' } });
  });
  afterAll(() => gw?.close());

  it('logs an operation refused before execution with the code its caller saw', async () => {
    const refused = await gw.gql('query Sneaky { __typename }', undefined, { headers: { 'x-request-id': 'req-untrusted-1' } });
    const code = refused.body.errors?.[0]?.extensions?.code;
    expect(code).toMatch(/^PERSISTED_QUERY_/);
    expect(log.lines().filter((line) => line.msg === 'operation')).toEqual([
      expect.objectContaining({ requestId: 'req-untrusted-1', outcome: 'error', errorCodes: [code] }),
    ]);
  });
});

describe('unexpected errors', () => {
  const log = memoryLogger('info');
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // A schema whose resolver fails the way a bug would, behind the gateway's own plugins and mask.
    const unexpected = createUnexpectedErrors();
    const yoga = createYoga({
      schema: createTestSchema({
        typeDefs: 'type Query { broken: String, fine: String }',
        resolvers: {
          Query: {
            broken: () => {
              throw new TypeError('cannot read https://internal.example/x?id=42 with Bearer abc.def');
            },
            fine: () => 'yes',
          },
        },
      }),
      maskedErrors: { maskError: unexpected.wrap(maskError) },
      logging: false,
      plugins: [useRequestId(), useObservedOperations(createOperationObserver([createOperationLog(log.logger, unexpected)]))],
    });
    server = createServer(yoga.requestListener);
    url = `${await listen(server)}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('logs a masked error once, at error level, with its stack and the request id, and nothing secret', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-bug-1' },
      body: JSON.stringify({ query: 'query Buggy { broken fine }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });

    const lines = log.lines();
    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'unexpected error', requestId: 'req-bug-1', operation: 'Buggy' });
    const err = errors[0]!.error as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    expect(err.stack).toContain('logs.test.ts');
    expect(log.raw()).not.toContain('internal.example');
    expect(log.raw()).not.toContain('abc.def');
    expect(lines.filter((line) => line.msg === 'operation')).toEqual([
      expect.objectContaining({ requestId: 'req-bug-1', operation: 'Buggy', outcome: 'error', errorCodes: ['INTERNAL_SERVER_ERROR'] }),
    ]);
  });
});

describe('queued lines (the operation line, formatted in batches)', () => {
  /** A line logger writing into memory, as the process's writes into its batches. */
  function lineLogger(level = 'info', refuse?: (line: string) => boolean) {
    let text = '';
    const write = (line: string) => {
      if (refuse?.(line)) throw new Error('the destination refused a line');
      text += line;
    };
    const { logger, formatQueued } = createLineLogger(level, { write });
    const lines = () => jsonLines<{ msg: string; i?: number; time: string; level: number }>(text);
    return { logger, formatQueued, lines, info: queuedInfo(logger) };
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it(`holds at most ${maxQueuedLines} lines, then formats them all, in order`, () => {
    const { info, lines } = lineLogger();
    for (let i = 0; i < maxQueuedLines - 1; i++) info({ i }, 'operation');
    expect(lines()).toEqual([]);
    info({ i: maxQueuedLines - 1 }, 'operation');
    expect(lines().map((line) => line.i)).toEqual(Array.from({ length: maxQueuedLines }, (_, i) => i));
    info({ i: maxQueuedLines }, 'operation');
    expect(lines()).toHaveLength(maxQueuedLines);
  });

  it('writes each line with the time it was queued, and any other line after those queued before it', async () => {
    const { logger, info, lines } = lineLogger();
    const queuedBefore = Date.now();
    info({ i: 0 }, 'operation');
    const queuedAfter = Date.now();
    await sleep(30);
    info({ i: 1 }, 'operation');
    await sleep(30);
    const loggedAt = Date.now();
    logger.error({ i: 2 }, 'unexpected error');
    expect(lines().map(({ i, msg, level }) => ({ i, msg, level }))).toEqual([
      { i: 0, msg: 'operation', level: 30 },
      { i: 1, msg: 'operation', level: 30 },
      { i: 2, msg: 'unexpected error', level: 50 },
    ]);
    const [first, , error] = lines();
    // Its own millisecond, not the one it was formatted in (60 ms later); and the line logged
    // after, its own (30 ms after the last queued line's).
    expect(Date.parse(first!.time)).toBeGreaterThanOrEqual(queuedBefore);
    expect(Date.parse(first!.time)).toBeLessThanOrEqual(queuedAfter);
    expect(Date.parse(error!.time)).toBeGreaterThanOrEqual(loggedAt);
  });

  it('keeps the lines after one its destination refused, and writes them with the next', () => {
    let refusing = true;
    const { info, lines, formatQueued } = lineLogger('info', (line) => refusing && line.includes('"i":1'));
    for (let i = 0; i < 3; i++) info({ i }, 'operation');
    expect(() => formatQueued()).toThrow('the destination refused a line');
    expect(lines().map((line) => line.i)).toEqual([0]);
    refusing = false;
    formatQueued();
    expect(lines().map((line) => line.i)).toEqual([0, 2]);
  });

  it('formats what is queued when its destination hands lines over, and writes no queued line above info', () => {
    const { info, lines, formatQueued } = lineLogger();
    info({ i: 0 }, 'operation');
    formatQueued();
    expect(lines().map((line) => line.i)).toEqual([0]);
    const quiet = lineLogger('warn');
    quiet.info({ i: 0 }, 'operation');
    quiet.formatQueued();
    quiet.logger.warn({ i: 1 }, 'warning');
    expect(quiet.lines().map((line) => line.i)).toEqual([1]);
  });

  it('writes at once through any other logger', () => {
    const log = memoryLogger();
    queuedInfo(log.logger)({ i: 0 }, 'operation');
    expect(log.lines()).toEqual([expect.objectContaining({ i: 0, msg: 'operation' })]);
  });
});

describe("the process's logger (JSON lines on stdout, in batches)", () => {
  interface Line {
    i: number;
    at: number;
    time: string;
  }
  /**
   * Runs `body` in a process of its own, after `const { logger, droppedLines, close } = createLogger('info')`
   * and with `writeSync` imported. Its stdout is a pipe nobody reads, so writes back up, until
   * `readAfter` ms have passed or, when it is a string, until stderr says it. Gives the lines
   * written (whole lines: a line cut short when stdout was given up on is not one), what stderr said
   * before stdout was read, all stderr said, and the JSON objects the child wrote there, one a line.
   * With `readEveryMs`, stdout is then read slowly: a chunk, then a pause of that long.
   */
  async function loggerProcess(body: string[], readAfter: number | string, nodeArgs: string[] = [], readEveryMs = 0): Promise<{ lines: Line[]; errBeforeReading: string; err: string; reports: Record<string, unknown>[] }> {
    const script = [
      "import { writeSync } from 'node:fs';",
      "import { createLogger } from './src/observability/logger.ts';",
      "const { logger, droppedLines, close } = createLogger('info');",
      ...body,
    ].join('\n');
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise((resolve) => child.once('close', resolve));
    let out = '';
    let err = '';
    let errBeforeReading: string | undefined;
    const read = () => {
      if (errBeforeReading !== undefined) return;
      errBeforeReading = err;
      child.stdout.resume();
    };
    // A listener first (else Node drains an unread pipe of a child that exits), then no reading.
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (readEveryMs > 0) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), readEveryMs);
      }
    });
    child.stdout.pause();
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (typeof readAfter === 'string' && err.includes(readAfter)) read();
    });
    const timer = typeof readAfter === 'number' ? setTimeout(read, readAfter) : undefined;
    await closed;
    clearTimeout(timer);
    const lines = out
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Line);
    const reports = err
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { lines, errBeforeReading: errBeforeReading ?? err, err, reports };
  }

  // The child's statement logging `count` lines, each with its index and the time it was logged.
  const logLines = (count: number) => `for (let i = 0; i < ${count}; i++) logger.info({ i, at: Date.now(), pad: 'x'.repeat(200) }, 'line');`;

  // `count` lines, then a flush (telling so on stderr once flush calls back) or just the exit;
  // stdout is unread for half a second.
  async function linesWritten(count: number, ending: 'flush' | 'exit'): Promise<{ lines: Line[]; flushedWhileUnread: boolean }> {
    const { lines, errBeforeReading } = await loggerProcess(
      [
        logLines(count),
        ending === 'flush' ? "await new Promise((resolve) => logger.flush(() => resolve(undefined))); writeSync(2, 'flushed');" : '',
        'process.exit(0);',
      ],
      500,
    );
    return { lines, flushedWhileUnread: errBeforeReading.includes('flushed') };
  }
  const inOrder = (count: number) => Array.from({ length: count }, (_, i) => i);

  it('writes every line, in order, before flush calls back, though stdout backs up', async () => {
    // 20,000 lines are megabytes: far more than a pipe holds unread.
    const { lines, flushedWhileUnread } = await linesWritten(20_000, 'flush');
    expect(flushedWhileUnread).toBe(false);
    expect(lines.map((line) => line.i)).toEqual(inOrder(20_000));
    // Each line's time is its own millisecond, in ISO form, though it is formatted once per millisecond.
    const late = lines.filter(({ at, time }) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(time) || Date.parse(time) < at || Date.parse(time) > at + 1000);
    expect(late).toEqual([]);
    expect(new Set(lines.map(({ time }) => time)).size).toBeGreaterThan(1);
  }, 30_000);

  it('writes the lines of a part batch when the process exits', async () => {
    expect((await linesWritten(7, 'exit')).lines.map((line) => line.i)).toEqual(inOrder(7));
  }, 30_000);

  it('writes queued lines within the flush interval while it runs, when the process exits, and on close', async () => {
    const queue = (from: number, to: number) => `for (let i = ${from}; i < ${to}; i++) info({ i }, 'operation');`;
    const setUp = ["const { queuedInfo } = await import('./src/observability/logger.ts');", 'const info = queuedInfo(logger);'];
    // No other line and no flush: the interval hands them over. What is queued after is lost to
    // SIGKILL, as nothing else wrote it.
    const running = await loggerProcess([...setUp, queue(0, 3), 'await new Promise((resolve) => setTimeout(resolve, 1_000));', queue(3, 4), "process.kill(process.pid, 'SIGKILL');"], 0);
    expect(running.lines.map((line) => line.i)).toEqual(inOrder(3));
    const exiting = await loggerProcess([...setUp, queue(0, 5), 'process.exit(0);'], 0);
    expect(exiting.lines.map((line) => line.i)).toEqual(inOrder(5));
    // The gateway's shutdown: close, then the exit (which writes nothing once closed).
    const closing = await loggerProcess([...setUp, queue(0, 5), 'await close(5_000);', 'process.exit(0);'], 0);
    expect(closing.lines.map((line) => line.i)).toEqual(inOrder(5));
  }, 30_000);

  it('holds at most 16 MB for a stalled stdout, and counts the lines it drops past that', async () => {
    // 200,000 lines of about 410 bytes: 82 MB, which a stalled stdout would otherwise keep in memory.
    const count = 200_000;
    const { lines, err, reports } = await loggerProcess(
      [
        // What the process holds: the heap and the bytes of Buffers (batches are held as bytes).
        'const held = () => { const { heapUsed, arrayBuffers } = process.memoryUsage(); return heapUsed + arrayBuffers; };',
        'globalThis.gc(); const before = held();',
        // A flush every ten lines hands part batches over, as the interval does when traffic is light.
        `for (let i = 0; i < ${count}; i++) { logger.info({ i, pad: 'x'.repeat(300) }, 'line'); if (i % 10 === 9) logger.flush(); }`,
        "globalThis.gc(); writeSync(2, JSON.stringify({ heldBytes: held() - before }) + '\\n');",
        'await new Promise((resolve) => logger.flush(() => resolve(undefined)));',
        "writeSync(2, JSON.stringify({ dropped: droppedLines() }) + '\\n');",
        'process.exit(0);',
      ],
      // stdout stays unread until every line has been logged (the child says what it holds then).
      'heldBytes',
      ['--expose-gc'],
    );
    const heldBytes = reports.find((r) => r.heldBytes !== undefined)?.heldBytes as number | undefined;
    const dropped = reports.find((r) => r.dropped !== undefined)?.dropped as number | undefined;
    expect(heldBytes, err).toBeDefined();
    expect(dropped, err).toBeDefined();
    const written = lines.map((line) => line.i);
    expect(heldBytes).toBeLessThan(40 * 1024 * 1024);
    expect(dropped).toBeGreaterThan(0);
    // Lines are dropped a batch at a time: what was written is in order, each line once, and every
    // other line was counted.
    expect(written.every((i, k) => k === 0 || i > written[k - 1]!)).toBe(true);
    expect(written.length + dropped!).toBe(count);
  }, 60_000);

  // What the gateway's exit does: close, then process.exit. The child says how close resolved.
  async function closed(count: number, stallMs: number, readAfter: number | string, readEveryMs = 0) {
    const { lines, err, reports } = await loggerProcess(
      [
        logLines(count),
        'const startedAt = Date.now();',
        `const written = await close(${stallMs});`,
        "writeSync(2, JSON.stringify({ written, ms: Date.now() - startedAt }) + '\\n');",
        "writeSync(2, 'closed');",
        'process.exit(0);',
      ],
      readAfter,
      [],
      readEveryMs,
    );
    const report = reports[0] as { written: boolean; ms: number } | undefined;
    expect(report, err).toBeDefined();
    return { lines, ...report! };
  }

  it('close waits for a stdout that is slow but keeps taking lines, and writes every one', async () => {
    // About 1 MB, read from the start a pipe's worth at a time, 300 ms apart: far longer in all
    // than the stall bound of 1 s, never that long without a byte taken.
    const { lines, written, ms } = await closed(4_000, 1_000, 0, 300);
    expect(written).toBe(true);
    expect(ms).toBeGreaterThan(2_000);
    expect(lines.map((line) => line.i)).toEqual(inOrder(4_000));
  }, 60_000);

  it('close gives up on a stdout that takes nothing, and the exit does not wait for it', async () => {
    // stdout is read only once the child's logger has given up and the child is about to exit.
    const { lines, written, ms } = await closed(20_000, 300, 'closed');
    expect(written).toBe(false);
    // Given up after the stall bound, not after the whole backlog (which would never drain).
    expect(ms).toBeLessThan(5_000);
    // What reached the pipe before is whole lines in order, from the first; the rest was dropped.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(20_000);
    expect(lines.map((line) => line.i)).toEqual(inOrder(lines.length));
  }, 30_000);
});
