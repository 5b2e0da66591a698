import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import { root, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { buildGateway } from './support/build.js';
import { imageRuntime } from './support/dockerfile.js';

/**
 * An unauthenticated caller sending distinct documents, valid and invalid, documents often
 * enough to have them compiled, and operation names a document does not define, against the
 * gateway as the image runs it (compiled, production, a 160 MB old space): what it keeps of them is
 * bounded, so it stays up and answers the next caller.
 */
const fields = 'id state accountNativeId awsRegion clumioAwsAccountId errorCode errorMessage installedRegions supportedRegions availableVersion stackVersion deploymentUrl templateUrl roleArn token';

// About 7 KB: twenty aliased wallet reads, different in every document.
function validDocument(i: number): string {
  return `query Flood${i} { ${Array.from({ length: 20 }, (_, a) => `w${a}: wallet(id: "flood-${i}-${a}") { ${fields} }`).join(' ')} }`;
}
// About 4 KB through a fragment, which the compiled plan of its operation takes in whole.
function fragmentDocument(i: number): string {
  return `query Compiled${i} { ...F${i} } fragment F${i} on Query { ${Array.from({ length: 14 }, (_, a) => `w${a}: wallet(id: "c-${i}-${a}") { ${fields} }`).join(' ')} }`;
}
// The same with a field the schema lacks in each read: twenty validation errors.
function invalidDocument(i: number): string {
  return validDocument(i).replaceAll('token }', `token nope${i} }`);
}

function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

/** Samples a process's resident memory every 50 ms; `peak()` is the highest seen so far. */
function peakOf(child: ChildProcess): { peak: () => number; stop: () => void } {
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, residentBytes(child.pid!));
    } catch {
      // The process has ended: the test says so.
    }
  }, 50);
  return { peak: () => peak, stop: () => clearInterval(sampler) };
}

/** The wallets a normal caller gets from `url` (one asked for). */
async function normalAnswer(url: string, token: string): Promise<unknown[] | undefined> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ wallets(first: 1) { nodes { id } } }' }),
    signal: AbortSignal.timeout(10_000),
  }).then((r) => r.json() as Promise<{ data?: { wallets: { nodes: unknown[] } } }>);
  return answer.data?.wallets.nodes;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Sends `count` requests, `concurrency` at a time; returns the statuses seen. */
async function flood(count: number, concurrency: number, make: (i: number) => unknown, url: string): Promise<Set<number>> {
  const statuses = new Set<number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) statuses.add(await post(url, make(next++)));
    }),
  );
  return statuses;
}

describe('a flood of distinct documents from an unauthenticated caller', () => {
  let simulator: Simulator;
  let gateway: GatewayProcess;
  let sampled: ReturnType<typeof peakOf>;
  // A private build inside the repository, so that its imports resolve from node_modules.
  const buildDir = join(root, 'test', '.build', 'memory-flood');
  let startImage: () => Promise<GatewayProcess>;

  beforeAll(async () => {
    simulator = createSimulator();
    await simulator.listen();
    // As the image runs it: compiled, with its environment (NODE_ENV, NODE_OPTIONS) and its
    // CMD's node flags. (Run from its sources, the process would carry tsx's loader thread too.)
    const { entry, warnings } = buildGateway(buildDir);
    if (warnings !== '') console.warn(`tsc reported type errors (the output was still emitted):\n${warnings}`);
    const image = imageRuntime();
    startImage = () => startGatewayProcess(simulator.url, { ...image.env, CURSOR_SECRET: 'memory-flood-test-secret' }, image.nodeArgs, entry);
    gateway = await startImage();
    sampled = peakOf(gateway.child);
  }, 180_000); // a whole compile of the gateway first
  afterAll(async () => {
    sampled?.stop();
    // Either may be missing when beforeAll failed (a build that did not compile, say).
    const running = gateway as GatewayProcess | undefined;
    try {
      if (running !== undefined && running.child.exitCode === null) running.child.kill('SIGKILL');
      await (simulator as Simulator | undefined)?.close();
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  it('keeps the gateway up under 250 MB, and it answers a normal query right after', async () => {
    const statuses = new Set<number>();
    const phase = (what: string) => console.log(`memory flood: ${what}, RSS ${(sampled.peak() / 2 ** 20).toFixed(0)} MB so far, alive: ${gateway.child.exitCode === null}`);
    // 500 valid documents, then 500 invalid ones, 20 at a time.
    for (const s of await flood(500, 20, (i) => ({ query: validDocument(i) }), gateway.url)) statuses.add(s);
    phase('valid documents sent');
    for (const s of await flood(500, 20, (i) => ({ query: invalidDocument(i) }), gateway.url)) statuses.add(s);
    phase('invalid documents sent');
    // 150 documents sent ten times each: every one is compiled (JIT_COMPILE_AFTER, 10).
    for (const s of await flood(150 * 10, 20, (i) => ({ query: fragmentDocument(Math.floor(i / 10)) }), gateway.url)) statuses.add(s);
    phase('documents compiled');
    // 200 documents asked for under 16 operation names each that they do not define, 60 KB long.
    const name = (i: number) => `N${i}_${'x'.repeat(60_000)}`;
    for (const s of await flood(200 * 16, 20, (i) => ({ query: `query Named${i >> 4} { __typename }`, operationName: name(i) }), gateway.url)) statuses.add(s);

    expect(gateway.child.exitCode, gateway.output()).toBeNull();
    expect([...statuses].every((s) => s === 200 || s === 400)).toBe(true);
    expect(await normalAnswer(gateway.url, simulator.demoToken)).toHaveLength(1);
    const peak = sampled.peak();
    console.log(`memory flood: peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(250 * 2 ** 20);
  }, 180_000);

  it('keeps a gateway under 250 MB while one connection pipelines 3,000 requests of 60 KB at a slow Clumio, and it answers a normal query right after', async () => {
    // A gateway of its own, as the image runs it, so that its peak is this flood's alone.
    const flooded = await startImage();
    const floodSampled = peakOf(flooded.child);
    simulator.setLatency(2_000);
    const { hostname, port, pathname } = new URL(flooded.url);
    const body = JSON.stringify({ query: '{ wallet(id: "w-1") { id } }', extensions: { padding: 'p'.repeat(60_000) } });
    const request = `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\nauthorization: Bearer made-up.flood.token\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    socket.on('data', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let written = 0;
    const write = () => {
      while (written < 3_000 && !socket.destroyed && socket.write(request)) written++;
      if (written < 3_000 && !socket.destroyed) socket.once('drain', write);
    };
    write();
    // Six seconds of it: three rounds of Clumio's latency.
    let mostInFlight = 0;
    try {
      for (let i = 0; i < 12; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const metrics = await fetch(flooded.url.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(5_000) }).then((r) => r.text());
        mostInFlight = Math.max(mostInFlight, Number(/^gateway_requests_in_flight (\d+)$/m.exec(metrics)?.[1]));
      }
    } finally {
      socket.destroy();
      simulator.setLatency(0);
    }
    try {
      expect(flooded.child.exitCode, flooded.output()).toBeNull();
      // One connection has at most its share (HTTP_MAX_OPERATIONS_PER_CONNECTION, 8) in flight.
      expect(mostInFlight).toBeGreaterThan(0);
      expect(mostInFlight).toBeLessThanOrEqual(8);
      expect(await normalAnswer(flooded.url, simulator.demoToken)).toHaveLength(1);
      const floodPeak = floodSampled.peak();
      console.log(`pipelined flood: ${written} requests written, at most ${mostInFlight} in flight, peak RSS ${(floodPeak / 2 ** 20).toFixed(0)} MB`);
      expect(floodPeak).toBeGreaterThan(0);
      expect(floodPeak).toBeLessThan(250 * 2 ** 20);
    } finally {
      floodSampled.stop();
      flooded.child.kill('SIGKILL');
    }
  }, 90_000);
});
