import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ScenarioName, TargetName } from './scenarios.js';
import { targetTitles } from './scenarios.js';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  date: string;
  /** 1, 5 and 15-minute load averages before and after the run: other work on the machine skews figures. */
  loadBefore: string;
  loadAfter: string;
}

export interface Measurement {
  addedLatencyMs: number;
  scenario: ScenarioName;
  scenarioTitle: string;
  target: TargetName;
  /** Medians over the rounds. */
  opsPerSecond: number;
  p50: number;
  p99: number;
  rounds: number[];
  failures: number;
  /** Server process (the simulator for `direct`) at RSS_CONNECTIONS; measured with no added latency only. */
  peakRssMb: number | null;
  upstreamCallsPerOperation: number | null;
}

export interface LatencyAtOneConnection {
  target: TargetName;
  /** Set when the requests carried another Accept header than the other runs. */
  accept?: string;
  /** Median over rounds of the mean time per wallet(id) operation on one connection. */
  meanMs: number;
  rounds: number[];
}

export interface Check {
  pass: boolean;
  text: string;
}

export interface Results {
  machine: Machine;
  settings: Record<string, number | number[] | boolean | string>;
  /** Each server's RSS right after start-up, before any load, MB. */
  idleRssMb: Record<TargetName, number>;
  measurements: Measurement[];
  oneConnection: LatencyAtOneConnection[];
  addedMeanLatencyMs: number;
  checks: Check[];
  warnings: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function markdown(results: Results): string {
  const { machine } = results;
  const lines: string[] = [];
  lines.push(
    `Measured by \`npm run bench\` on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}; ` +
      `load average before ${machine.loadBefore}, after ${machine.loadAfter}. Every server runs in a process of its own, ` +
      `autocannon in another, all on loopback; ${results.settings.throughputConnections} connections, medians of ` +
      `${results.settings.rounds} interleaved rounds of ${results.settings.roundSeconds} s. Peak RSS is the server's at ` +
      `${results.settings.rssConnections} connections; upstream calls are Clumio requests per operation. ` +
      'The direct `_entities` row makes its 20 calls one after another per connection, and its latencies are per call. ' +
      `GraphQL requests are JSON POSTs with \`Accept: ${results.settings.graphqlAccept}\`.`,
    '',
  );
  lines.push(
    'Every request carries one caller\'s token, so the gateway\'s bound on Clumio calls in flight per caller ' +
      '(`CLUMIO_MAX_IN_FLIGHT_PER_CALLER`, 32) applies to the whole load; the peers have no such bound. ' +
      'An added latency varies uniformly by a few ms either way, as a WAN round trip does: fixed to the millisecond, ' +
      'the simulator answers requests sent together all together, and the closed-loop load then runs in lockstep. ' +
      'Peak RSS is that of a server which has already served the earlier runs; right after start-up, before any load: ' +
      `${Object.entries(results.idleRssMb)
        .map(([target, mb]) => `${targetTitles[target as TargetName]} ${mb.toFixed(0)} MB`)
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
  const latencies = [...new Set(results.measurements.map((m) => m.addedLatencyMs))];
  for (const latency of latencies) {
    const jitter = latency > 0 ? Math.min(latency, Number(results.settings.latencyJitterMs ?? 0)) : 0;
    lines.push(`**Simulator with ${latency} ms added latency${jitter > 0 ? ` (± ${jitter} ms, uniform)` : ''}**`, '');
    lines.push('| scenario | target | ops/s | p50 ms | p99 ms | peak RSS MB | upstream calls/op | gateway ÷ target |');
    lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const m of results.measurements.filter((x) => x.addedLatencyMs === latency)) {
      const gateway = results.measurements.find(
        (x) => x.addedLatencyMs === latency && x.scenario === m.scenario && x.target === 'gateway',
      );
      const ratio = m.target === 'gateway' || !gateway ? '' : `${fmt(gateway.opsPerSecond / m.opsPerSecond, 2)}x`.replace('n/ax', 'n/a');
      const failures = m.failures > 0 ? ` (${m.failures} failed)` : '';
      lines.push(
        `| ${m.scenarioTitle} | ${targetTitles[m.target]} | ${int(m.opsPerSecond)}${failures} | ${fmt(m.p50)} | ${fmt(m.p99)} | ` +
          `${fmt(m.peakRssMb)} | ${fmt(m.upstreamCallsPerOperation, 2)} | ${ratio} |`,
      );
    }
    lines.push('');
  }
  lines.push('**wallet(id) on one connection** (mean time per operation)', '');
  lines.push('| target | mean ms | added over direct, ms |', '| --- | ---: | ---: |');
  const direct = results.oneConnection.find((x) => x.target === 'direct');
  for (const l of results.oneConnection) {
    const title = `${targetTitles[l.target]}${l.accept ? `, \`Accept: ${l.accept}\`` : ''}`;
    lines.push(`| ${title} | ${fmt(l.meanMs, 3)} | ${direct ? fmt(l.meanMs - direct.meanMs, 3) : 'n/a'} |`);
  }
  lines.push('', '**Targets**', '');
  for (const check of results.checks) lines.push(`- ${check.pass ? 'PASS' : 'FAIL'}: ${check.text}`);
  lines.push(
    '',
    'Run it with `npm run bench` (about 16 minutes; `npm run bench -- --quick` for a smoke run, ' +
      '`npm run bench -- --profile` for a CPU profile of the gateway under `wallet(id)`). Raw figures: `test/bench/results/latest.json`.',
  );
  if (results.warnings.length > 0) {
    lines.push('', '**Warnings**', '');
    for (const warning of results.warnings) lines.push(`- ${warning}`);
  }
  return lines.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Puts the table between the markers of README's Performance section, adding the section if missing. */
export function updateReadme(path: string, table: string): void {
  const readme = readFileSync(path, 'utf8');
  const block = `${START}\n${table}\n${END}`;
  let next: string;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) {
    next = readme.slice(0, start) + block + readme.slice(end + END.length);
  } else {
    const section = `## Performance\n\n${block}\n`;
    const heading = readme.search(/^## Performance\s*$/m);
    if (heading >= 0) {
      const after = readme.indexOf('\n', heading) + 1;
      next = `${readme.slice(0, after)}\n${block}\n${readme.slice(after)}`;
    } else {
      const architecture = readme.search(/^## Architecture\s*$/m);
      const following = architecture >= 0 ? readme.slice(architecture + 1).search(/^## /m) : -1;
      if (following >= 0) {
        const at = architecture + 1 + following;
        next = `${readme.slice(0, at)}${section}\n${readme.slice(at)}`;
      } else {
        next = `${readme.trimEnd()}\n\n${section}`;
      }
    }
  }
  writeFileSync(path, next);
}
