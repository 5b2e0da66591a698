import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { connectOutcome, until } from './support/wait.js';

const readWallet = 'query($id: ID!) { wallet(id: $id) { id } }';

function query(url: string, token: string, id: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: readWallet, variables: { id } }),
    signal: AbortSignal.timeout(30_000),
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('graceful shutdown of the gateway process', () => {
  let simulator: Simulator;
  let walletId: string;
  let running: GatewayProcess | undefined;

  beforeAll(async () => {
    simulator = createSimulator();
    await simulator.listen();
    walletId = String(simulator.putWallet(simulator.demoToken, { state: 'Enabled' }).id);
  });
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    running = undefined;
    simulator.setLatency(0);
    simulator.clearFaults();
    simulator.clearRequests();
  });
  afterAll(() => simulator.close());

  it('on SIGTERM, even sent twice, finishes the operations in flight, refuses new connections, and exits 0', async () => {
    running = await startGatewayProcess(simulator.url, { SHUTDOWN_GRACE_MS: '15000' });
    // Warm up, so the slow operations below are the only thing in flight.
    expect((await query(running.url, simulator.demoToken, walletId)).status).toBe(200);

    simulator.clearRequests();
    simulator.setLatency(1_500);
    const inFlight = Array.from({ length: 3 }, () => query(running!.url, simulator.demoToken, walletId));
    await until(() => simulator.requests.length === 3, 10_000);

    running.child.kill('SIGTERM');
    await until(async () => (await connectOutcome(running!.url)) === 'ECONNREFUSED', 5_000);
    // A second SIGTERM during the drain (a supervisor repeating itself) changes nothing.
    running.child.kill('SIGTERM');

    const answers = await within(Promise.all(inFlight), 15_000, 'the in-flight operations finishing');
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ data: { wallet: { id: walletId } } });
    }
    expect(await within(running.exited, 15_000, 'the process exiting')).toBe(0);
  }, 90_000);

  it('cuts an operation still running when the grace period ends, and still exits 0', async () => {
    running = await startGatewayProcess(simulator.url, { SHUTDOWN_GRACE_MS: '1000' });
    simulator.inject({ kind: 'stall', times: 1 });
    const stuck = query(running.url, simulator.demoToken, walletId).then(
      (response) => response.status,
      () => 'connection closed',
    );
    await until(() => simulator.requests.length === 1, 10_000);

    running.child.kill('SIGTERM');
    expect(await within(running.exited, 10_000, 'the process exiting')).toBe(0);
    expect(await stuck).toBe('connection closed');
    expect(running.output()).toContain('were closed');
  }, 90_000);

  it("writes each operation's line on stdout with the operation's own time: while it runs, and the rest on SIGTERM", async () => {
    running = await startGatewayProcess(simulator.url, { SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info' });
    const sent: Array<{ id: string; before: number; after: number }> = [];
    const send = async (id: string) => {
      const before = Date.now();
      const response = await fetch(running!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${simulator.demoToken}`, 'x-request-id': id },
        body: JSON.stringify({ query: readWallet, variables: { id: walletId } }),
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).toBe(200);
      await response.text();
      sent.push({ id, before, after: Date.now() });
    };
    const written = () =>
      running!
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"operation"'))
        .map((line) => JSON.parse(line) as { requestId: string; time: string });
    // Fewer lines than a batch, and nothing else logged: the logger's interval writes them.
    for (let i = 0; i < 3; i++) await send(`req-early-${i}`);
    await until(() => written().length === 3, 10_000, 50);
    // More than a batch, then SIGTERM at once: what is still queued is written on the way out.
    for (let i = 0; i < 70; i++) await send(`req-late-${i}`);
    running.child.kill('SIGTERM');
    expect(await within(running.exited, 20_000, 'the process exiting')).toBe(0);
    const lines = written();
    expect(lines.map((line) => line.requestId)).toEqual(sent.map(({ id }) => id));
    const outOfTime = lines.filter((line, i) => Date.parse(line.time) < sent[i]!.before || Date.parse(line.time) > sent[i]!.after);
    expect(outOfTime).toEqual([]);
  }, 90_000);

  it('exits 0 on SIGTERM when its log collector stopped reading stdout', async () => {
    running = await startGatewayProcess(simulator.url, { SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info' });
    // The collector stops reading: stdout's pipe fills, and the gateway's log lines back up.
    running.child.stdout!.pause();
    // 4,000 operation lines: about 1 MB, more than the pipe and the reader's buffer hold.
    for (let round = 0; round < 80; round++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => query(running!.url, simulator.demoToken, walletId)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    running.child.kill('SIGTERM');
    // Nothing in flight to drain; then stdout takes nothing for 5 s, and the lines left are dropped.
    expect(await within(running.exited, 20_000, 'the process exiting')).toBe(0);
    expect(running.output()).toContain('stdout took no log line for 5000 ms; the lines still waiting for it were dropped');
  }, 90_000);
});
