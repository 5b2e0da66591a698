// `npm run bench`: the gateway against Clumio called directly and its peers and a floor, each in its own process.
// `-- --quick` for a short smoke run, `-- --ablation` to add the gateway with each fast mechanism off and its data path alone,
// `-- --profile` for a CPU profile of the gateway under wallet(id), `-- --no-docs` to leave
// docs/performance.md alone.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request } from 'autocannon';
import { MAX_RAMP_MS, runLoad, type LoadResult } from './load.js';
import { freePort } from '../support/wait.js';
import { startProcess, statusKb, waitUntilUp, watchPeakRss, type ServerProcess } from './processes.js';
import { summarizeProfile } from './profile.js';
import { describeMachine, loadAverage, markdown, measurementOf, median, roundRatio, updateDoc, type Check, type LatencyAtOneConnection, type Measurement, type Phase, type RequestStyleMeasurement, type Results, type SideBySide } from './report.js';
import { frontendStyles, GRAPHQL_ACCEPT, graphqlResponseStyle, loadSpec, scenarios, serverStyle, type Fixture, type LoadSpec, type Scenario } from './scenarios.js';
import { ablations, boundedMercurius, direct, gateway, peers, protectedMercurius, type GatewayVariant, type Peer, type ProtectedSettings, type Target } from './targets.js';
import { loadConfig, type Config } from '../../src/config.js';
import { defaultDocumentLimits } from '../../src/graphql/documents.js';
import { buildGateway } from '../support/build.js';
import { root } from '../support/gateway-process.js';
import { imageRuntime } from '../support/dockerfile.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const ablation = args.has('--ablation');

// Load settings: the issue's targets are stated at these connection counts.
const RSS_CONNECTIONS = 50;
const LATENCY_CONNECTIONS = 1;
// Five rounds: this two-core machine's speed drifts by ±20 % from one minute to the next, and a
// median of five interleaved rounds moves less with it than one of three.
const ROUNDS = quick ? 1 : 5;
const ROUND_SECONDS = quick ? 1 : 4;
const WARMUP_SECONDS = quick ? 1 : 2;
const RSS_SECONDS = quick ? 1 : 3;
const ONE_CONNECTION_SECONDS = quick ? 1 : 3;
// An added latency varies by this much either way, as a WAN round trip does: a delay fixed to the
// millisecond answers the requests a server sent together all together, which keeps the closed-loop
// load in lockstep and measures that instead (measured: the gateway's p50 28-29 ms fixed, 22 ms with
// ±2 ms, the mean staying 20 ms).
const LATENCY_JITTER_MS = 2;

/**
 * The gateway's bounds on Clumio calls in flight, and on operations in flight (256 by default, as
 * many as the load's connections), raised where the load is wide so that they do not bind: the
 * peers have none, and the scenario measures the servers, not a bound of ours. The pool
 * keeps 1,024 connections (51,200 calls a second at 20 ms, far above what any server reaches
 * here); thousands of idle sockets, each with its parser, would only weigh on the 160 MB heap.
 */
const RAISED_CAPS: Record<string, string> = {
  CLUMIO_MAX_IN_FLIGHT: '10000',
  CLUMIO_MAX_IN_FLIGHT_PER_CALLER: '10000',
  CLUMIO_MAX_CONNECTIONS: '1024',
  UPSTREAM_CONCURRENCY_PER_OPERATION: '64',
  HTTP_MAX_OPERATIONS_IN_FLIGHT: '1024',
};

/**
 * Upstream answering at once, 32 connections of one caller, production settings; then 20 ms of
 * upstream latency, where 32 connections in a closed loop would cap every server at 32 / 20 ms =
 * 1,600 operations/s and measure the latency instead: 256 connections spread over 16 callers.
 */
const PHASES: Phase[] = [
  { addedLatencyMs: 0, connections: 32, callers: 1, gatewayEnv: {} },
  { addedLatencyMs: 20, connections: 256, callers: 16, gatewayEnv: RAISED_CAPS },
];

/** Operations per target and scenario whose Clumio calls are counted (and bodies checked). */
const COUNTED_OPERATIONS = quick ? 20 : 40;
const PROFILE_SECONDS = 10;
/** Between runs, how long Clumio must hear nothing before the next run starts. */
const QUIET_MS = 250;
const SETTLE_TIMEOUT_MS = 30_000;

// Data: each caller's organization holds the demo's 8 wallets plus these, so a page of 50 is full.
const EXTRA_WALLETS = 50;
const PAGE_SIZE = 50;
const REPRESENTATIONS = 50;
const DISTINCT_ENTITIES = 20;

// Targets of issue 11.
const MIN_RATIO_OF_MERCURIUS = 1.0;
const MIN_RATIO_OF_DIRECT = 0.25;
const MAX_ADDED_LATENCY_MS = 0.3;
const MAX_PEAK_RSS_MB = 150;
// Issue 6's, kept: nothing asked before is given up.
const MIN_RATIO_OVER_APOLLO_AND_YOGA = 1.5;

const benchDir = fileURLToPath(new URL('./', import.meta.url));
const buildDir = `${benchDir}.build/`;
const resultsDir = `${benchDir}results/`;
const servers: ServerProcess[] = [];

/** A target the bench started: where it answers, and its process (for RSS and CPU time). */
interface Running {
  target: Target;
  url: string;
  server: ServerProcess;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** The gateway and the peers compiled as `npm run build` compiles the gateway, into a private folder. */
function build(): void {
  log('compiling the gateway and the peers');
  const { warnings } = buildGateway(buildDir, `${benchDir}tsconfig.build.json`);
  if (warnings !== '') log(`warning: tsc reported type errors (the output was still emitted):\n${warnings}`);
}

async function startSimulator(): Promise<{ running: Running; token: string }> {
  const port = await freePort();
  const server = startProcess('simulator', [`${buildDir}src/simulator/main.js`], { SIMULATOR_PORT: String(port), SIMULATOR_LATENCY_MS: '0' });
  servers.push(server);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(server, `${url}/__simulator/requests`);
  const token = /Demo bearer token: (\S+)/.exec(server.output())?.[1];
  if (!token) throw new Error(`the simulator printed no demo token:\n${server.output()}`);
  return { running: { target: direct, url, server }, token };
}

/** The gateway's settings that the Mercurius peers with its bounds or its protections take. */
function gatewaySettings(config: Config): ProtectedSettings {
  const { clumio } = config;
  return {
    // One caller's calls in flight: the least of the gateway's bounds in all, per caller and on connections.
    callsInFlight: Math.min(clumio.maxInFlight, clumio.maxInFlightPerCaller, clumio.maxConnections),
    perOperation: config.upstreamConcurrencyPerOperation,
    maxBodyBytes: config.maxRequestBodyBytes,
    operationDeadlineMs: config.operationDeadlineMs,
    callBudget: config.upstreamCallBudget,
    documentLimits: defaultDocumentLimits,
    maxRetries: clumio.maxRetries,
    retryBaseDelayMs: clumio.retryBaseDelayMs,
    retryMaxDelayMs: clumio.retryMaxDelayMs,
    breakerMinimumCalls: clumio.breakerMinimumCalls,
    breakerFailurePercent: clumio.breakerFailureRate * 100,
    breakerWindowMs: clumio.breakerWindowMs,
    breakerCooldownMs: clumio.breakerCooldownMs,
  };
}

/** How the production image runs the gateway (environment and node flags), read from the Dockerfile once. */
const image = imageRuntime();

/**
 * The environment a gateway runs with beside the bench's own (which its process inherits): as the
 * production image runs it (NODE_ENV, NODE_OPTIONS) at its default log level, a line per
 * operation as in production, with `env` over it.
 */
function gatewayEnvironment(simulatorUrl: string, env: Record<string, string>): Record<string, string> {
  return { ...image.env, NODE_ENV: 'production', CLUMIO_API_BASE_URL: simulatorUrl, LOG_LEVEL: 'info', CURSOR_SECRET: 'benchmark-cursor-secret-0123456789', ...env };
}

async function startGateway(simulatorUrl: string, target: GatewayVariant, env: Record<string, string>, extraArgs: string[] = []): Promise<Running> {
  const port = await freePort();
  // The image's CMD's node flags too.
  const server = startProcess(target.name, [...image.nodeArgs, ...extraArgs, `${buildDir}${target.entry ?? 'src/main.js'}`], {
    ...gatewayEnvironment(simulatorUrl, env),
    HOST: '127.0.0.1',
    PORT: String(port),
  });
  servers.push(server);
  await waitUntilUp(server, `http://127.0.0.1:${port}/health`);
  return { target, url: `http://127.0.0.1:${port}/graphql`, server };
}

async function startPeer(peer: Peer, simulatorUrl: string): Promise<Running> {
  const port = await freePort();
  const server = startProcess(peer.name, [`${buildDir}test/bench/peers/${peer.script ?? peer.name}.js`], {
    NODE_ENV: 'production',
    PORT: String(port),
    CLUMIO_API_BASE_URL: simulatorUrl,
    // Unbounded unless the peer says otherwise, whatever the bench's own environment holds.
    PEER_MAX_CONNECTIONS: '',
    PEER_CONCURRENCY_PER_OPERATION: '',
    ...peer.env,
  });
  servers.push(server);
  const url = `http://127.0.0.1:${port}${peer.path}`;
  await waitUntilUp(server, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  return { target: peer, url, server };
}

async function stopServers(list: Running[]): Promise<void> {
  await Promise.all(list.map((r) => r.server.stop()));
  for (const r of list) servers.splice(servers.indexOf(r.server), 1);
}

/**
 * A server that died under load (a crash, a heap limit) is told once, with the end of its output,
 * and left out of the rest of the run: its figures read n/a.
 */
function isDown(r: Running, warnings: string[]): boolean {
  if (!r.server.exited()) return false;
  if (!downTold.has(r)) {
    downTold.add(r);
    const output = r.server.output();
    // Node's own reason (a heap limit) before its stack trace, else the last lines.
    const tail = /FATAL ERROR[^\n]*/.exec(output)?.[0] ?? output.trim().split('\n').slice(-3).join(' / ').slice(-400);
    warnings.push(`${r.target.name} exited during the run (exit ${r.server.child.exitCode ?? r.server.child.signalCode}): ${tail}`);
    log(`${r.target.name} exited: ${tail}`);
  }
  return true;
}
const downTold = new Set<Running>();

/** A round of a server that is down: nothing answered. */
const nothing: LoadResult = { opsPerSecond: 0, p50: Number.NaN, p99: Number.NaN, meanMs: Number.NaN, operations: 0, failures: 0, failureKinds: {}, cpuSeconds: Number.NaN, rampTimedOut: false };

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

/** Another caller's token, shaped and sized as the demo's (a JWT), naming an organization of its own. */
function callerToken(demoToken: string, caller: number): string {
  return caller === 0 ? demoToken : `${demoToken.slice(0, -4)}b${caller.toString().padStart(3, '0')}`;
}

/**
 * Gives a caller's organization its wallets and picks two sets of them: one for the timed runs,
 * and another for counting Clumio calls, so that a timed run's stragglers never count as calls.
 */
async function seed(simulatorUrl: string, token: string): Promise<{ timed: Fixture; counted: Fixture }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/api.clumio.wallets=v1+json' };
  for (let i = 0; i < EXTRA_WALLETS; i++) {
    const account = String(700000000000 + i);
    const { status, text } = await call(`${simulatorUrl}/wallets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ account_native_id: account, aws_region: 'us-west-2' }),
    });
    if (status !== 200) throw new Error(`creating a wallet failed: ${status} ${text}`);
  }
  const { text } = await call(`${simulatorUrl}/wallets?limit=100&start=`, { headers });
  const items = (JSON.parse(text) as { _embedded: { items: Array<{ id: string; key_errors?: Record<string, unknown> }> } })._embedded.items;
  const withKeyErrors = items.find((w) => Object.keys(w.key_errors ?? {}).length > 0) ?? items[0]!;
  const ids = items.map((w) => w.id).filter((id) => id !== withKeyErrors.id);
  const fixture = { token, representations: REPRESENTATIONS, pageSize: PAGE_SIZE };
  return {
    timed: { ...fixture, walletId: withKeyErrors.id, entityIds: ids.slice(0, DISTINCT_ENTITIES) },
    counted: {
      ...fixture,
      walletId: ids[2 * DISTINCT_ENTITIES]!,
      entityIds: ids.slice(DISTINCT_ENTITIES, 2 * DISTINCT_ENTITIES),
      pageSize: PAGE_SIZE - 1,
    },
  };
}

/** The demo organization and as many more as the widest phase has callers, each seeded alike. */
async function seedCallers(simulatorUrl: string, demoToken: string, count: number): Promise<Array<{ timed: Fixture; counted: Fixture }>> {
  const fixtures = [];
  for (let caller = 0; caller < count; caller++) {
    const token = callerToken(demoToken, caller);
    if (caller > 0) {
      const { status, text } = await call(`${simulatorUrl}/__simulator/organizations`, { method: 'POST', body: JSON.stringify({ token, seed: true }) });
      if (status !== 204) throw new Error(`adding an organization failed: ${status} ${text}`);
    }
    fixtures.push(await seed(simulatorUrl, token));
  }
  return fixtures;
}

// What is compared across targets: the data, less the cursors each server encodes its own way.
function comparable(text: string): string {
  return JSON.stringify((JSON.parse(text) as { data?: unknown }).data, (key, value: unknown) => (key === 'cursor' || key === 'endCursor' ? undefined : value));
}

async function send(spec: LoadSpec, request: Request): Promise<{ status: number; text: string }> {
  return call(`${spec.url}${request.path}`, {
    method: request.method ?? 'GET',
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
}

/**
 * One request per target, scenario and caller: it must succeed (so no fast error is timed), and
 * every GraphQL server must answer what the gateway answers. Returns the first caller's answers.
 */
async function checkAnswers(list: Scenario[][], all: Running[], warnings: string[]): Promise<Map<string, string>> {
  const running = all.filter((r) => !isDown(r, warnings));
  const bodies = new Map<string, string>();
  const reference = running.find((r) => r.target === gateway)!;
  let compared = 0;
  for (const perCaller of list) {
    const name = perCaller[0]!.name;
    for (const [caller, scenario] of perCaller.entries()) {
      const answers = new Map<Running, string>();
      for (const r of running) {
        const spec = loadSpec([scenario], r.target, r.url);
        const { status, text } = await send(spec, spec.callers[0]![0]!);
        if (status !== 200) throw new Error(`${r.target.name} answered ${status} to ${name}: ${text.slice(0, 500)}`);
        if (r.target.kind !== 'direct' && (JSON.parse(text) as { errors?: unknown }).errors) {
          throw new Error(`${r.target.name} answered ${name} with errors: ${text.slice(0, 500)}`);
        }
        answers.set(r, text);
        if (caller === 0) bodies.set(`${name}/${r.target.name}`, text);
      }
      for (const [r, text] of answers) {
        if (r.target.kind === 'direct' || r === reference) continue;
        compared++;
        if (comparable(text) !== comparable(answers.get(reference)!)) {
          warnings.push(`${r.target.name} answers ${name} differently from the gateway (caller ${caller})`);
        }
      }
    }
  }
  log(`answers checked: ${compared} GraphQL answers compared with the gateway's (${warnings.length} warning(s) so far)`);
  return bodies;
}

interface Upstream {
  perOperation: number;
  wrongToken: number;
  wrongBodies: number;
}

/**
 * Clumio requests per operation, from the simulator's request log around a fixed number of
 * operations of the counting fixture; only requests that scenario can make are counted.
 */
async function countUpstream(simulatorUrl: string, scenario: Scenario, r: Running, body: string | undefined): Promise<Upstream> {
  await settle(simulatorUrl);
  const spec = loadSpec([scenario], r.target, r.url);
  const result = await runLoad(spec, {
    connections: 4,
    amount: COUNTED_OPERATIONS * spec.requestsPerOperation,
    // Bodies are compared only when every request of the load gets the same answer.
    ...(body !== undefined && spec.requestsPerOperation === 1 ? { expectBody: body } : {}),
  });
  const own = new Set(scenario.direct.map((req) => `${req.method} ${req.path}`));
  const log = (JSON.parse((await call(`${simulatorUrl}/__simulator/requests`)).text) as Array<{ method: string; url: string; headers: Record<string, string> }>)
    .filter((req) => own.has(`${req.method} ${req.url}`));
  return {
    perOperation: log.length / result.operations,
    wrongToken: log.filter((req) => req.headers.authorization !== `Bearer ${scenario.token}`).length,
    wrongBodies: result.failures,
  };
}

/**
 * Waits until no Clumio request has arrived for QUIET_MS: a load that stops leaves requests in the
 * servers' queues, and they must not be timed or counted in the next run. Clears the request log.
 */
async function settle(simulatorUrl: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await call(`${simulatorUrl}/__simulator/requests`, { method: 'DELETE' });
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const { text } = await call(`${simulatorUrl}/__simulator/requests`);
    if (text === '[]') return;
  }
  log(`warning: Clumio still receives requests after ${SETTLE_TIMEOUT_MS} ms`);
}

async function setLatency(simulatorUrl: string, ms: number): Promise<void> {
  const jitterMs = Math.min(ms, LATENCY_JITTER_MS);
  const { status } = await call(`${simulatorUrl}/__simulator/latency`, { method: 'PUT', body: JSON.stringify({ ms, jitterMs }) });
  if (status !== 204) throw new Error(`setting the simulator's latency failed: ${status}`);
}

/**
 * The targets in the order of one round: a shuffle of its own per round, from a fixed seed (the
 * same orders in every run). Run in one order, the gateway always came last, after graphql-yoga's
 * heavy rounds, and Mercurius always right after Clumio called directly; shuffled, no target keeps
 * the same place or the same neighbours in every round.
 */
function inTurn<T>(items: readonly T[], round: number): T[] {
  const order = [...items];
  // mulberry32, seeded by the round.
  let seed = (round + 1) * 0x9e3779b9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** What a target's rounds come to: median throughput and CPU per 1,000 operations, each round's throughput, the failures. */
function summarizeRounds(results: LoadResult[]): Pick<Measurement, 'opsPerSecond' | 'cpuSecondsPerThousand' | 'rounds' | 'cpuRounds' | 'failures'> {
  const cpuRounds = results.map((x) => (x.operations > 0 ? (x.cpuSeconds * 1000) / x.operations : Number.NaN));
  return {
    opsPerSecond: median(results.map((x) => x.opsPerSecond)),
    cpuSecondsPerThousand: median(cpuRounds),
    rounds: results.map((x) => Math.round(x.opsPerSecond)),
    cpuRounds,
    failures: results.reduce((sum, x) => sum + x.failures, 0),
  };
}

/** One timed run, with the CPU time the target's process used over its window. */
async function timedRun(spec: LoadSpec, r: Running, connections: number): Promise<LoadResult> {
  return runLoad(spec, { connections, seconds: ROUND_SECONDS, cpuOf: r.server.pid });
}

/**
 * The gateway and Mercurius loaded at once (SideBySide in report.ts), `connections` each, in
 * rounds of their own: both loads start together, and each counts its own window and its own
 * server's CPU. A round's failures are told in the warnings, as the rounds in turn tell theirs.
 */
async function loadSideBySide(scenario: Scenario, pair: readonly [Running, Running], specs: Map<Running, LoadSpec>, connections: number, simulatorUrl: string, warnings: string[]): Promise<SideBySide> {
  const rounds: [LoadResult[], LoadResult[]] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    if (pair.some((r) => isDown(r, warnings))) break;
    await settle(simulatorUrl);
    const results = await Promise.all(pair.map((r) => runLoad(specs.get(r)!, { connections, seconds: ROUND_SECONDS, cpuOf: r.server.pid })));
    // A server that died during the round: the round is left out, and the pair measured no further.
    if (pair.some((r) => isDown(r, warnings))) break;
    results.forEach((result, i) => rounds[i]!.push(result));
  }
  const failures = rounds.flat().reduce((sum, x) => sum + x.failures, 0);
  if (failures > 0) warnings.push(`side by side, ${scenario.name}, against ${pair[1].target.name}: ${failures} requests failed`);
  const of = (results: LoadResult[]) => {
    const { rounds: ops, cpuRounds } = summarizeRounds(results);
    return { rounds: ops, cpuRounds };
  };
  return { scenario: scenario.name, scenarioTitle: scenario.title, connectionsEach: connections, gateway: of(rounds[0]), mercurius: of(rounds[1]), failures };
}

async function profileGateway(): Promise<void> {
  build();
  const { running: simulator, token } = await startSimulator();
  const fixture = (await seed(simulator.url, token)).timed;
  const name = 'gateway-wallet.cpuprofile';
  rmSync(`${resultsDir}${name}`, { force: true });
  const r = await startGateway(simulator.url, gateway, {}, ['--cpu-prof', `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=${name}`]);
  const spec = loadSpec([scenarios(fixture)[0]!], gateway, r.url);
  const connections = PHASES[0]!.connections;
  await runLoad(spec, { connections, seconds: WARMUP_SECONDS });
  log(`profiling the gateway under wallet(id) for ${PROFILE_SECONDS} s`);
  const result = await runLoad(spec, { connections, seconds: PROFILE_SECONDS });
  log(`${Math.round(result.opsPerSecond)} ops/s while profiling (the profiler slows it down)`);
  await r.server.stop('SIGTERM');
  const summary = summarizeProfile(`${resultsDir}${name}`, PROFILE_SECONDS * 1000);
  console.log(`\nTop self time over the last ${PROFILE_SECONDS} s (${Math.round(summary.totalMs)} ms sampled, idle included):`);
  for (const f of summary.frames) {
    console.log(`${f.percent.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
    if (f.calledFrom) console.log(`                      < ${f.calledFrom}`);
  }
  console.log('\nSelf time by package:');
  for (const f of summary.owners) console.log(`${f.percent.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
  console.log(`\nProfile: ${resultsDir}${name} (open it in Chrome DevTools or speedscope)`);
}

/** Each scenario as each of the first `count` callers runs it: [scenario][caller]. */
function byScenario(fixtures: Fixture[]): Scenario[][] {
  const lists = fixtures.map(scenarios);
  return lists[0]!.map((_, k) => lists.map((list) => list[k]!));
}

const gatewayVariants = [gateway, ...(ablation ? ablations : [])];

async function benchmark(): Promise<void> {
  const loadBefore = loadAverage();
  log(`load average before: ${loadBefore}${quick ? ' (quick run)' : ''}${ablation ? ' (with the ablation)' : ''}`);
  build();
  const { running: simulator, token } = await startSimulator();
  const fixtures = await seedCallers(simulator.url, token, Math.max(...PHASES.map((p) => p.callers)));
  const idleRssMb: Record<string, number> = {};
  const warnings: string[] = [];
  const measurements: Measurement[] = [];
  const oneConnection: LatencyAtOneConnection[] = [];
  const requestStyles: RequestStyleMeasurement[] = [];
  const sideBySide: SideBySide[] = [];

  for (const [phaseIndex, phase] of PHASES.entries()) {
    // Every server starts afresh for each phase, the peers as the gateway (whose settings differ
    // between phases): none enters a phase warm from the one before while another starts cold.
    const peerServers = await Promise.all(peers.map((peer) => startPeer(peer, simulator.url)));
    const gateways = await Promise.all(gatewayVariants.map((v) => startGateway(simulator.url, v, { ...v.env, ...phase.gatewayEnv })));
    const running = [simulator, ...peerServers, ...gateways];
    for (const r of running) idleRssMb[r.target.title] ??= statusKb(r.server.pid, 'VmRSS') / 1024;
    const first = phaseIndex === 0;
    log(`+${phase.addedLatencyMs} ms, ${phase.connections} connections over ${phase.callers} caller(s)`);

    // Answers are checked with Clumio answering at once; the first phase also counts Clumio calls.
    await setLatency(simulator.url, 0);
    const list = byScenario(fixtures.slice(0, phase.callers).map((f) => f.timed));
    await checkAnswers(list, running, warnings);
    const countedList = byScenario([fixtures[0]!.counted]);
    const bodies = first ? await checkAnswers(countedList, running, warnings) : new Map<string, string>();
    await setLatency(simulator.url, phase.addedLatencyMs);

    // The first phase loads the gateway side by side with Mercurius, and with two Mercurius
    // peers given the gateway's settings (read from its environment), its bounds on one caller's
    // calls among them (this phase's load is one caller's, so a peer's Pool, shared by all, bounds
    // that caller): one with those bounds alone, under `_entities`, and one with all the gateway's
    // protections, in every scenario.
    const peerSettings = first ? gatewaySettings(loadConfig({ ...process.env, ...gatewayEnvironment(simulator.url, phase.gatewayEnv) })) : undefined;

    for (const [index, perCaller] of list.entries()) {
      const scenario = perCaller[0]!;
      const specs = new Map(running.map((r) => [r, loadSpec(perCaller, r.target, r.url)]));
      const warmUp = async (r: Running) => {
        await settle(simulator.url);
        await runLoad(specs.get(r)!, { connections: phase.connections, seconds: WARMUP_SECONDS });
      };
      for (const r of running) if (!isDown(r, warnings)) await warmUp(r);
      const rounds = new Map<Running, LoadResult[]>(running.map((r) => [r, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const r of inTurn(running, round)) {
          if (isDown(r, warnings)) {
            rounds.get(r)!.push(nothing);
            continue;
          }
          await settle(simulator.url);
          const result = await timedRun(specs.get(r)!, r, phase.connections);
          rounds.get(r)!.push(isDown(r, warnings) ? nothing : result);
        }
      }
      if (first) {
        // The gateway and a warmed-up peer loaded at once: a row of the side-by-side table.
        const besideGateway = async (peer: Running, peerTitle?: string) => {
          const pair = await loadSideBySide(scenario, [gateways[0]!, peer], specs, Math.max(1, Math.floor(phase.connections / 2)), simulator.url, warnings);
          sideBySide.push(peerTitle === undefined ? pair : { ...pair, peerTitle });
          log(`side by side ${scenario.name}: gateway [${pair.gateway.rounds.join(' ')}] ${peer.target.name} [${pair.mercurius.rounds.join(' ')}] ops/s`);
        };
        await besideGateway(peerServers.find((r) => r.target.name === 'mercurius')!);
        // Each peer outside the rounds in turn: started, its answers checked as every server's are,
        // warmed up, loaded beside the gateway, and stopped.
        const extraPeers = [...(scenario.name === 'entities' ? [boundedMercurius(peerSettings!)] : []), protectedMercurius(peerSettings!)];
        for (const peer of extraPeers) {
          const r = await startPeer(peer, simulator.url);
          await checkAnswers([perCaller], [gateways[0]!, r], warnings);
          specs.set(r, loadSpec(perCaller, peer, r.url));
          await warmUp(r);
          await besideGateway(r, peer.title);
          await stopServers([r]);
        }
      }
      for (const r of running) {
        let peakRssMb: number | null = null;
        let upstream: Upstream | null = null;
        if (first && !isDown(r, warnings)) {
          const counted = countedList[index]![0]!;
          upstream = await countUpstream(simulator.url, counted, r, bodies.get(`${scenario.name}/${r.target.name}`));
          if (upstream.wrongToken > 0) warnings.push(`${r.target.name} sent ${upstream.wrongToken} Clumio requests without the caller's token (${scenario.name})`);
          if (upstream.wrongBodies > 0) warnings.push(`${r.target.name} gave ${upstream.wrongBodies} failed or different answers while counting calls (${scenario.name})`);
          await settle(simulator.url);
          const watch = watchPeakRss(r.server.pid);
          await runLoad(specs.get(r)!, { connections: RSS_CONNECTIONS, seconds: RSS_SECONDS });
          const peak = watch.stop();
          peakRssMb = isDown(r, warnings) ? null : peak / 1024 / 1024;
        }
        const results = rounds.get(r)!;
        const late = results.filter((x) => x.rampTimedOut).length;
        const kinds: Record<string, number> = {};
        for (const x of results) for (const [kind, n] of Object.entries(x.failureKinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
        if (Object.keys(kinds).length > 0) {
          warnings.push(`${r.target.name} failed in ${scenario.name} +${phase.addedLatencyMs} ms: ${Object.entries(kinds).map(([k, n]) => `${n} × ${k}`).join(', ')}`);
        }
        if (late > 0) warnings.push(`${r.target.name}: in ${late} round(s) of ${scenario.name} +${phase.addedLatencyMs} ms, not every connection had an answer within ${MAX_RAMP_MS / 1000} s`);
        const m: Measurement = {
          addedLatencyMs: phase.addedLatencyMs,
          scenario: scenario.name,
          scenarioTitle: scenario.title,
          target: r.target.name,
          targetTitle: r.target.title,
          ...summarizeRounds(results),
          p50: median(results.map((x) => x.p50)),
          p99: median(results.map((x) => x.p99)),
          peakRssMb,
          upstreamCallsPerOperation: upstream?.perOperation ?? null,
        };
        measurements.push(m);
        log(
          `+${phase.addedLatencyMs} ms ${scenario.name.padEnd(8)} ${r.target.name.padEnd(12)} ${Math.round(m.opsPerSecond).toString().padStart(6)} ops/s ` +
            `p50 ${m.p50.toFixed(1)} p99 ${m.p99.toFixed(1)} ms cpu ${m.cpuSecondsPerThousand.toFixed(3)} s/1k [${m.rounds.join(' ')}]` +
            `${peakRssMb === null ? '' : ` rss ${peakRssMb.toFixed(0)} MB`}` +
            `${upstream ? ` calls/op ${upstream.perOperation.toFixed(2)}` : ''}${m.failures ? ` FAILED ${m.failures}` : ''}`,
        );
      }
    }

    if (first) {
      const wallet = list[0]!;
      // Each target with the plain JSON Accept header, and the gateway once more as a client that
      // also accepts application/graphql-response+json asks it.
      const shipped = gateways[0]!;
      const variants = [...running.map((r) => ({ r, style: serverStyle })), { r: shipped, style: graphqlResponseStyle }];
      const means = variants.map(() => [] as number[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (const i of inTurn([...variants.keys()], round)) {
          const { r, style } = variants[i]!;
          if (isDown(r, warnings)) {
            means[i]!.push(Number.NaN);
            continue;
          }
          await settle(simulator.url);
          const result = await runLoad(loadSpec(wallet, r.target, r.url, style), { connections: LATENCY_CONNECTIONS, seconds: ONE_CONNECTION_SECONDS });
          means[i]!.push(result.meanMs);
        }
      }
      oneConnection.push(
        ...variants.map(({ r, style }, i) => ({
          target: r.target.name,
          targetTitle: r.target.title,
          ...(style === serverStyle ? {} : { accept: style.headers.accept! }),
          meanMs: median(means[i]!),
          rounds: means[i]!,
        })),
      );
      log(`one connection, wallet(id): ${oneConnection.map((l) => `${l.target}${l.accept ? ' (graphql-response+json)' : ''} ${l.meanMs.toFixed(3)} ms`).join(', ')}`);

      // The gateway as frontends in a browser call it, beside the bench's own request, with this
      // phase's load: which door answers shows in what each costs.
      const styles = [serverStyle, ...frontendStyles];
      const styleRounds = styles.map(() => [] as LoadResult[]);
      for (let round = 0; round < ROUNDS && !isDown(shipped, warnings); round++) {
        for (const i of inTurn([...styles.keys()], round)) {
          const style = styles[i]!;
          await settle(simulator.url);
          styleRounds[i]!.push(await timedRun(loadSpec(wallet, shipped.target, shipped.url, style), shipped, phase.connections));
        }
      }
      requestStyles.push(
        ...styles.map((style, i) => {
          const summary = summarizeRounds(styleRounds[i]!);
          if (summary.failures > 0) warnings.push(`the gateway failed ${summary.failures} requests sent as ${style.title}`);
          return { style: style.name, title: style.title, ...summary };
        }),
      );
      log(`wallet(id) as frontends send it: ${requestStyles.map((s) => `${s.style} ${Math.round(s.opsPerSecond)} ops/s cpu ${s.cpuSecondsPerThousand.toFixed(3)} s/1k`).join(', ')}`);
    }
    await stopServers([...peerServers, ...gateways]);
  }
  await setLatency(simulator.url, 0);

  const results = summarize(measurements, oneConnection, requestStyles, sideBySide, warnings, loadBefore, idleRssMb, scenarios(fixtures[0]!.timed));
  const table = markdown(results);
  console.log(`\n${table}\n`);
  mkdirSync(resultsDir, { recursive: true });
  const file = quick ? `${resultsDir}quick.json.tmp` : `${resultsDir}latest.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${file}`);
  if (!quick && !args.has('--no-docs')) {
    updateDoc(`${root}docs/performance.md`, table);
    log('docs/performance.md updated');
  }
}

function summarize(
  measurements: Measurement[],
  oneConnection: LatencyAtOneConnection[],
  requestStyles: RequestStyleMeasurement[],
  sideBySide: SideBySide[],
  warnings: string[],
  loadBefore: string,
  idleRssMb: Record<string, number>,
  needed: Scenario[],
): Results {
  const find = (added: number, scenario: string, target: string) => measurementOf(measurements, { addedLatencyMs: added, scenario }, target)!;
  const scenarioNames = [...new Set(measurements.map((m) => m.scenario))];
  const checks: Check[] = [];
  const ratioCheck = (added: number, scenario: string, of: string, min: number, issue: string) => {
    const ratio = roundRatio(find(added, scenario, gateway.name), find(added, scenario, of));
    const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a (no operation finished in a round)';
    checks.push({ pass: Number.isFinite(ratio) && ratio >= min, text: `${scenario} +${added} ms: gateway ${shown} ${of} (target ≥ ${min}x, issue ${issue})` });
  };
  for (const phase of PHASES) {
    for (const scenario of scenarioNames) ratioCheck(phase.addedLatencyMs, scenario, 'mercurius', MIN_RATIO_OF_MERCURIUS, '11');
  }
  ratioCheck(0, 'wallet', direct.name, MIN_RATIO_OF_DIRECT, '11');
  const mean = (t: string) => oneConnection.find((l) => l.target === t && l.accept === undefined)!.meanMs;
  const addedMeanLatencyMs = mean(gateway.name) - mean(direct.name);
  checks.push({
    pass: addedMeanLatencyMs <= MAX_ADDED_LATENCY_MS,
    text: `wallet, 1 connection: gateway adds ${addedMeanLatencyMs.toFixed(3)} ms mean latency over direct (target ≤ ${MAX_ADDED_LATENCY_MS} ms, issue 11)`,
  });
  const graphqlResponse = oneConnection.find((l) => l.accept !== undefined);
  if (graphqlResponse) {
    const added = graphqlResponse.meanMs - mean(direct.name);
    checks.push({
      pass: added <= MAX_ADDED_LATENCY_MS,
      text: `wallet, 1 connection, Accept: ${graphqlResponse.accept}: gateway adds ${added.toFixed(3)} ms (target ≤ ${MAX_ADDED_LATENCY_MS} ms, issue 11)`,
    });
  }
  for (const scenario of scenarioNames) {
    const m = find(0, scenario, gateway.name);
    const exact = needed.find((x) => x.name === scenario)!.upstreamCalls;
    checks.push({
      pass: m.peakRssMb !== null && m.peakRssMb <= MAX_PEAK_RSS_MB,
      text: `${scenario}: gateway peak RSS ${m.peakRssMb?.toFixed(0)} MB at ${RSS_CONNECTIONS} connections (target ≤ ${MAX_PEAK_RSS_MB} MB, issue 11)`,
    });
    checks.push({
      pass: m.upstreamCallsPerOperation === exact,
      text: `${scenario}: gateway makes ${m.upstreamCallsPerOperation?.toFixed(2)} Clumio calls per operation (target: exactly the ${exact} distinct wallets needed, issue 11)`,
    });
  }
  for (const phase of PHASES) {
    for (const scenario of scenarioNames) {
      for (const peer of ['apollo', 'yoga']) ratioCheck(phase.addedLatencyMs, scenario, peer, MIN_RATIO_OVER_APOLLO_AND_YOGA, '6');
    }
  }
  return {
    machine: describeMachine(loadBefore),
    settings: {
      quick,
      ablation,
      rssConnections: RSS_CONNECTIONS,
      latencyConnections: LATENCY_CONNECTIONS,
      oneConnectionSeconds: ONE_CONNECTION_SECONDS,
      graphqlAccept: GRAPHQL_ACCEPT,
      rssSeconds: RSS_SECONDS,
      rounds: ROUNDS,
      roundSeconds: ROUND_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      latencyJitterMs: LATENCY_JITTER_MS,
      countedOperations: COUNTED_OPERATIONS,
    },
    phases: PHASES,
    ablations: ablation ? ablations.map(({ name, title, env, off }) => ({ name, title, env, ...(off ? { off } : {}) })) : [],
    idleRssMb,
    measurements,
    oneConnection,
    requestStyles,
    sideBySide,
    addedMeanLatencyMs,
    checks,
    warnings,
    durationSeconds: (Date.now() - started) / 1000,
  };
}

async function stopAll(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

process.once('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

const started = Date.now();
try {
  if (args.has('--profile')) await profileGateway();
  else await benchmark();
} finally {
  await stopAll();
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}
