import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ScenarioName } from './scenarios.js';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  date: string;
  /** 1, 5 and 15-minute load averages before and after the run: other work on the machine skews figures. */
  loadBefore: string;
  loadAfter: string;
}

/** One stretch of the run: an upstream latency, a load, and the gateway's settings for it. */
export interface Phase {
  addedLatencyMs: number;
  connections: number;
  /** Distinct callers (tokens, each with its own organization) the connections are spread over. */
  callers: number;
  /** Settings of the gateways in this phase, beside the production image's. */
  gatewayEnv: Record<string, string>;
}

export interface Measurement {
  addedLatencyMs: number;
  scenario: ScenarioName;
  scenarioTitle: string;
  target: string;
  targetTitle: string;
  /** Medians over the rounds. */
  opsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the server's process (user + system) per 1,000 operations, seconds. */
  cpuSecondsPerThousand: number;
  /** Operations per second of each round, in order: rounds of all targets interleave. */
  rounds: number[];
  /** CPU seconds per 1,000 operations of each round, in order. */
  cpuRounds: number[];
  failures: number;
  /** Server process (the simulator for `direct`) at RSS_CONNECTIONS; measured in the first phase only. */
  peakRssMb: number | null;
  upstreamCallsPerOperation: number | null;
}

export interface LatencyAtOneConnection {
  target: string;
  targetTitle: string;
  /** Set when the requests carried another Accept header than the other runs. */
  accept?: string;
  /** Median over rounds of the mean time per wallet(id) operation on one connection. */
  meanMs: number;
  rounds: number[];
}

/** The gateway under `wallet(id)` as one kind of client sends it (the first phase's load, rounds interleaved). */
export type RequestStyleMeasurement = Pick<Measurement, 'opsPerSecond' | 'cpuSecondsPerThousand' | 'rounds' | 'failures'> & {
  style: string;
  title: string;
};

/**
 * The gateway and Mercurius loaded at once, each by half the phase's connections, under one
 * scenario with Clumio answering at once: the machine's swings in speed, which rounds in turn
 * sample one server at a time, hit both alike. Per round: each server's throughput, and its CPU
 * per 1,000 operations.
 */
export interface SideBySide {
  scenario: string;
  scenarioTitle: string;
  connectionsEach: number;
  gateway: Pick<Measurement, 'rounds' | 'cpuRounds'>;
  mercurius: Pick<Measurement, 'rounds' | 'cpuRounds'>;
  failures: number;
  /** When the peer is not Mercurius as its users write it: what it is (Mercurius with the gateway's bounds, or with its protections). */
  peerTitle?: string;
}

export interface Check {
  pass: boolean;
  text: string;
}

export interface Results {
  machine: Machine;
  settings: Record<string, number | number[] | boolean | string>;
  phases: Phase[];
  /** The gateway variants of `--ablation`: the gateway with one mechanism off, or its data path alone. */
  ablations: Array<{ name: string; title: string; env: Record<string, string>; off?: string }>;
  /** Each server's RSS right after start-up, before any load, MB, by title. */
  idleRssMb: Record<string, number>;
  measurements: Measurement[];
  oneConnection: LatencyAtOneConnection[];
  /** The gateway as frontends call it, beside the server-side request (the first row). */
  requestStyles: RequestStyleMeasurement[];
  /** The gateway and Mercurius loaded at once (first phase). */
  sideBySide: SideBySide[];
  addedMeanLatencyMs: number;
  checks: Check[];
  warnings: string[];
  /** From start to the tables, build and seeding included. */
  durationSeconds: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The measurement of `target` in the same scenario and phase as `of`. */
export function measurementOf(measurements: readonly Measurement[], of: { addedLatencyMs: number; scenario: string }, target: string): Measurement | undefined {
  return measurements.find((x) => x.addedLatencyMs === of.addedLatencyMs && x.scenario === of.scenario && x.target === target);
}

/** Each round's ratio of a's throughput to b's (rounds interleave, so a pair shares the machine's mood). */
export function roundRatios(a: Pick<Measurement, 'rounds'>, b: Pick<Measurement, 'rounds'>): number[] {
  return a.rounds.map((ops, i) => ops / b.rounds[i]!);
}

/** The median of the rounds' ratios: what every ratio of the report is. */
export function roundRatio(a: Pick<Measurement, 'rounds'>, b: Pick<Measurement, 'rounds'>): number {
  return median(roundRatios(a, b));
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export function describeMachine(loadBefore: string): Machine {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model.trim(),
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    loadBefore,
    loadAfter: loadAverage(),
  };
}

const fmt = (n: number | null, digits = 0) => (n === null || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const env = (settings: Record<string, string>) =>
  Object.entries(settings)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');

function phaseHeading(results: Results, phase: Phase): string {
  const jitter = phase.addedLatencyMs > 0 ? Math.min(phase.addedLatencyMs, Number(results.settings.latencyJitterMs ?? 0)) : 0;
  const callers = phase.callers === 1 ? "one caller's token" : `${phase.callers} callers' tokens (each its own organization), round-robin`;
  return `**Simulator with ${phase.addedLatencyMs} ms added latency${jitter > 0 ? ` (± ${jitter} ms, uniform)` : ''}: ${phase.connections} connections over ${callers}**`;
}

function phaseNote(phase: Phase): string {
  if (Object.keys(phase.gatewayEnv).length === 0) {
    return (
      'The gateway runs with its production settings (a log line per operation at `info`, metrics, request ids, ' +
      'masking, the deadline, the call budget and the scheduler); its bound on Clumio calls in flight per caller ' +
      '(`CLUMIO_MAX_IN_FLIGHT_PER_CALLER`, 32) applies to the whole load, which carries one token; the peers have no such bound.'
    );
  }
  return `The gateways of this phase run with their bounds on Clumio calls and operations in flight raised so that they do not bind (the peers have none): ${env(phase.gatewayEnv)}.`;
}

function phaseTable(results: Results, phase: Phase, lines: string[]): void {
  lines.push(phaseHeading(results, phase), '', phaseNote(phase), '');
  lines.push('| scenario | target | ops/s | p50 ms | p99 ms | CPU s / 1,000 ops | peak RSS MB | upstream calls/op | gateway ÷ target |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const here = results.measurements.filter((x) => x.addedLatencyMs === phase.addedLatencyMs);
  for (const m of here) {
    const gateway = measurementOf(here, m, 'gateway');
    const ratio = m.target === 'gateway' || !gateway ? '' : `${fmt(roundRatio(gateway, m), 2)}x`.replace('n/ax', 'n/a');
    const failures = m.failures > 0 ? ` (${m.failures} failed)` : '';
    lines.push(
      `| ${m.scenarioTitle} | ${m.targetTitle} | ${int(m.opsPerSecond)}${failures} | ${fmt(m.p50, 1)} | ${fmt(m.p99, 1)} | ` +
        `${fmt(m.cpuSecondsPerThousand, 3)} | ${fmt(m.peakRssMb)} | ${fmt(m.upstreamCallsPerOperation, 2)} | ${ratio} |`,
    );
  }
  lines.push('');
}

// The gateway and Mercurius loaded at once: each round's ratio of throughputs and difference of
// CPU per operation, then their medians.
function sideBySideTable(results: Results, lines: string[]): void {
  if (results.sideBySide.length === 0) return;
  const [first] = results.sideBySide;
  lines.push(
    `**Side by side with Mercurius** (upstream answering at once): the gateway and Mercurius loaded at the same time, ${first!.connectionsEach} connections each, ` +
      `in ${first!.gateway.rounds.length} rounds of ${String(results.settings.roundSeconds)} s; the machine's swings in speed hit both alike, where the rounds in turn above sample them one server at a time. ` +
      "Throughput and CPU per operation are medians of the rounds; the ratio and the difference are the medians of each round's. " +
      "The two share one Clumio: where an operation makes many calls (`_entities`), the throughput ratio is how they share it (Mercurius sends every call of every operation at once, " +
      "while the gateway's bound on one caller's calls in flight holds its own back), and only CPU per operation compares the servers. " +
      "A row against Mercurius with the gateway's bounds loads Mercurius given the same bounds on one caller's Clumio calls (its undici Pool's connections, and its loader's calls at once per operation) as the gateway's production settings: what those bounds cost, told apart from what the gateway costs. " +
      "A row against Mercurius with the gateway's protections loads Mercurius given each protection the gateway has on, as its users add them (peers/mercurius-protected.ts, the same bounds among them): " +
      "what the gateway's protections cost, beside what the same protections cost Mercurius.",
    '',
    '| scenario | this gateway ops/s | Mercurius ops/s | gateway ÷ Mercurius | this gateway CPU µs/op | Mercurius CPU µs/op | difference, µs/op (rounds) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const x of results.sideBySide) {
    const title = x.peerTitle === undefined ? x.scenarioTitle : `${x.scenarioTitle}, against ${x.peerTitle}`;
    if (x.gateway.rounds.length === 0) {
      lines.push(`| ${title} | n/a | n/a | n/a | n/a | n/a | a server was down |`);
      continue;
    }
    const differences = x.gateway.cpuRounds.map((cpu, i) => (cpu - x.mercurius.cpuRounds[i]!) * 1000);
    const failures = x.failures > 0 ? ` (${x.failures} failed)` : '';
    lines.push(
      `| ${title}${failures} | ${int(median(x.gateway.rounds))} | ${int(median(x.mercurius.rounds))} | ${fmt(roundRatio(x.gateway, x.mercurius), 2)}x | ` +
        `${fmt(median(x.gateway.cpuRounds) * 1000)} | ${fmt(median(x.mercurius.cpuRounds) * 1000)} | ${fmt(median(differences))} (${differences.map((d) => fmt(d)).join(', ')}) |`,
    );
  }
  lines.push('');
}

// What a server spends per operation above the floor (peers/floor.ts): in each round its CPU per
// operation less the floor's, then the median of those differences. For Mercurius, which shares the
// floor's resolvers, that is its framework; for the gateway, everything it does that the floor does
// not. Mercurius' figure is what the gateway's must stay within to spend no more than Mercurius.
// With `--ablation`, the gateway's data path alone (peers/data-path.ts) too: what it spends above
// the floor is the data path's own, and the gateway's above that is its request pipeline.
function floorTable(results: Results, lines: string[]): void {
  const rows = results.measurements.filter((x) => x.target === 'floor');
  if (rows.length === 0) return;
  // What `target` spends above `base` in the scenario and phase of `f`: the median of each round's difference.
  const above = (f: Measurement, target: string, base: string | undefined) => {
    const m = measurementOf(results.measurements, f, target);
    const from = base === undefined ? f : measurementOf(results.measurements, f, base);
    return m && from ? fmt(median(m.cpuRounds.map((cpu, i) => (cpu - from.cpuRounds[i]!) * 1000))) : 'n/a';
  };
  const dataPath = results.ablations.some((a) => a.name === 'data-path');
  const columns: Array<{ head: string; target: string; base?: string }> = [
    { head: 'Mercurius above it', target: 'mercurius' },
    ...(dataPath ? [{ head: 'data path alone above it', target: 'data-path' }] : []),
    { head: 'this gateway above it', target: 'gateway' },
    ...(dataPath ? [{ head: 'its pipeline (this gateway above its data path)', target: 'gateway', base: 'data-path' }] : []),
  ];
  lines.push(
    `**Above the floor**: CPU per operation in µs, the floor's (median of its rounds) and what Mercurius${dataPath ? ", this gateway's data path alone" : ''} and this gateway spend above it (median of each round's difference)`,
    '',
    `| upstream latency | scenario | floor |${columns.map((c) => ` ${c.head} |`).join('')}`,
    `| ---: | --- | ---: |${columns.map(() => ' ---: |').join('')}`,
  );
  for (const f of rows) {
    const cells = columns.map((c) => ` ${above(f, c.target, c.base)} |`).join('');
    lines.push(`| ${f.addedLatencyMs} ms | ${f.scenarioTitle} | ${fmt(f.cpuSecondsPerThousand * 1000)} |${cells}`);
  }
  lines.push('');
}

// What each mechanism buys: the gateway as shipped over the gateway with that mechanism off.
function ablationTable(results: Results, lines: string[]): void {
  if (results.ablations.length === 0) return;
  lines.push(
    "**Ablation**: what each fast mechanism buys (the gateway as shipped ÷ the variant without it; each round's ratio, then their median); " +
      'for the operation log line and metrics, which are protections, and for the whole request pipeline (the data path alone), a gain below zero is what they cost',
    '',
  );
  lines.push('| mechanism off | upstream latency | scenario | gain | rounds |', '| --- | ---: | --- | ---: | --- |');
  for (const variant of results.ablations) {
    for (const m of results.measurements.filter((x) => x.target === variant.name)) {
      const shipped = measurementOf(results.measurements, m, 'gateway');
      if (!shipped) continue;
      const gain = (roundRatio(shipped, m) - 1) * 100;
      const rounds = roundRatios(shipped, m).map((r) => `${r.toFixed(2)}x`);
      const shown = Number.isFinite(gain) ? `${gain >= 0 ? '+' : ''}${gain.toFixed(0)}%` : 'n/a';
      lines.push(`| ${variant.off ?? env(variant.env)} | ${m.addedLatencyMs} ms | ${m.scenarioTitle} | ${shown} | ${rounds.join(' ').replaceAll('NaNx', 'n/a').replaceAll('Infinityx', 'n/a')} |`);
    }
  }
  lines.push('');
}

export function markdown(results: Results): string {
  const { machine, settings } = results;
  const setting = (name: string) => String(settings[name]);
  const lines: string[] = [];
  lines.push(
    `Measured by \`npm run bench${settings.ablation ? ' -- --ablation' : ''}\` on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}; ` +
      `load average before ${machine.loadBefore}, after ${machine.loadAfter}. Every server runs in a process of its own, ` +
      `autocannon in another, all on loopback; medians of ${setting('rounds')} interleaved rounds of ${setting('roundSeconds')} s, each round running the targets in an order of its own. ` +
      'A round counts what is answered in its window, which opens once every connection has had an answer ' +
      '(a closed loop starting from nothing answers nothing for as long as one operation takes) and lasts at least twice that ramp; ' +
      "and every ratio is the median of the rounds' ratios within this run. CPU is the server process's own (user + system, " +
      `from /proc/<pid>/stat over each round; the simulator's is not counted in a peer's). Peak RSS is the server's at ` +
      `${setting('rssConnections')} connections; upstream calls are Clumio requests per operation. ` +
      'The direct `_entities` row makes its 20 calls one after another per connection, and its latencies are per call. ' +
      `GraphQL requests are JSON POSTs with \`Accept: ${setting('graphqlAccept')}\`.`,
    '',
  );
  lines.push(
    'An added latency varies uniformly by a few ms either way, as a WAN round trip does: fixed to the millisecond, ' +
      'the simulator answers requests sent together all together, and the closed-loop load then runs in lockstep. ' +
      'Peak RSS is that of a server which has already served the earlier runs; right after start-up, before any load: ' +
      `${Object.entries(results.idleRssMb)
        .map(([title, mb]) => `${title} ${mb.toFixed(0)} MB`)
        .join(', ')}.`,
    '',
  );
  const busy = Number(machine.loadBefore.split(' ')[0]) > machine.cores || Number(machine.loadAfter.split(' ')[0]) > machine.cores;
  if (busy) {
    lines.push(
      `The machine was busy with other work during this run (load average above its ${machine.cores} cores): ` +
        'absolute figures are low and noisy; ratios from the same run are the fairer reading.',
      '',
    );
  }
  for (const phase of results.phases) phaseTable(results, phase, lines);
  sideBySideTable(results, lines);
  floorTable(results, lines);
  ablationTable(results, lines);
  lines.push('**wallet(id) on one connection** (mean time per operation, upstream answering at once)', '');
  lines.push('| target | mean ms | added over direct, ms |', '| --- | ---: | ---: |');
  const direct = results.oneConnection.find((x) => x.target === 'direct');
  for (const l of results.oneConnection) {
    const title = `${l.targetTitle}${l.accept ? `, \`Accept: ${l.accept}\`` : ''}`;
    lines.push(`| ${title} | ${fmt(l.meanMs, 3)} | ${direct ? fmt(l.meanMs - direct.meanMs, 3) : 'n/a'} |`);
  }
  if (results.requestStyles.length > 0) {
    const [base] = results.requestStyles;
    const first = results.phases[0]!;
    lines.push(
      '',
      `**wallet(id) as frontends send it** (this gateway; ${first.connections} connections, upstream answering at once; the rounds of the three interleave)`,
      '',
      '| request | ops/s | CPU s / 1,000 ops | ÷ a JSON POST from a server |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const s of results.requestStyles) {
      const ratio = roundRatio(s, base!);
      lines.push(`| ${s.title}${s.failures ? ` (${s.failures} failed)` : ''} | ${int(s.opsPerSecond)} | ${fmt(s.cpuSecondsPerThousand, 3)} | ${fmt(ratio, 2)}x |`);
    }
  }
  lines.push('', '**Targets**', '');
  for (const check of results.checks) lines.push(`- ${check.pass ? 'PASS' : 'FAIL'}: ${check.text}`);
  lines.push('- not measured here: the flood of distinct documents (issue 11) is a test of its own.');
  lines.push(
    '',
    `This run took ${Math.round(results.durationSeconds / 60)} minutes. Run it with \`npm run bench\` (\`-- --ablation\` adds the gateway ` +
      'with each fast mechanism off, and its data path alone; `-- --quick` for a smoke run; `-- --profile` for a CPU profile of the gateway under `wallet(id)`). ' +
      'Raw figures: `test/bench/results/latest.json`.',
  );
  if (results.warnings.length > 0) {
    lines.push('', '**Warnings**', '');
    for (const warning of results.warnings) lines.push(`- ${warning}`);
  }
  return lines.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Puts the tables between the markers of the performance document, adding them at its end if missing. */
export function updateDoc(path: string, table: string): void {
  const doc = readFileSync(path, 'utf8');
  const block = `${START}\n${table}\n${END}`;
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  const next = start >= 0 && end > start ? doc.slice(0, start) + block + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
