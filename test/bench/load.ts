import autocannon, { type Result } from 'autocannon';
import { cpuSeconds } from './processes.js';
import type { LoadSpec } from './scenarios.js';

export interface LoadResult {
  /** Operations per second (HTTP requests per second ÷ requests per operation). */
  opsPerSecond: number;
  /** Latency of one HTTP request, ms. */
  p50: number;
  p99: number;
  /** Mean time per operation on one connection, ms: duration × connections ÷ operations. */
  meanMs: number;
  operations: number;
  /** Non-2xx answers, socket errors, timeouts and (with expectBody) wrong bodies, from the start of the load. */
  failures: number;
  /** The failures by kind: `HTTP <status>`, `error: <code>`, `wrong body`. */
  failureKinds: Record<string, number>;
  /** CPU time the watched process used over the measured window, seconds (0 when none is watched). */
  cpuSeconds: number;
  /** The window opened before every connection had an answer (after MAX_RAMP_MS). */
  rampTimedOut: boolean;
}

/**
 * The longest a timed load waits for every connection's first answer before its window opens
 * anyway (and the most a window is lengthened by): at 256 connections a slow server's first
 * answers take seconds, and one that leaves a connection unanswered this long is told in a warning.
 */
export const MAX_RAMP_MS = 15_000;

/**
 * Runs a load: a fixed `amount` of requests (counted from autocannon's totals), or `seconds` of
 * steady state. A closed loop that starts from nothing has no answer for as long as one
 * operation takes, which at 256 connections can be longer than a round: so the window opens only
 * once every connection has had an answer, and only what is answered inside it is counted. The
 * window lasts at least twice that ramp: connections that started together answer in waves about
 * one operation apart, and a shorter window would count a wave or none.
 */
export async function runLoad(
  spec: LoadSpec,
  options: { connections: number; seconds?: number; amount?: number; expectBody?: string; cpuOf?: number },
): Promise<LoadResult> {
  const { callers } = spec;
  let connection = 0;
  const seconds = options.seconds ?? 5;
  const instance = autocannon({
    url: spec.url,
    requests: callers[0]!,
    // Each connection is one caller's, round-robin: autocannon builds its connections one by one.
    ...(callers.length > 1 ? { setupClient: (client) => client.setRequests(callers[connection++ % callers.length]!) } : {}),
    connections: options.connections,
    // A timed load is stopped when its window closes.
    ...(options.amount === undefined ? { duration: (2 * MAX_RAMP_MS) / 1000 + seconds + 10 } : { amount: options.amount }),
    // autocannon's expectBody refuses `requests`; verifyBody is the same check.
    ...(options.expectBody === undefined ? {} : { verifyBody: (body: string) => body === options.expectBody }),
    timeout: 20,
  });
  if (options.amount !== undefined) return fromTotals(await instance, spec, options.connections);

  const answered = new Set<unknown>();
  const latencies: number[] = [];
  let state: 'ramp' | 'window' | 'done' = 'ramp';
  const failureKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    if (state !== 'done') failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
  };
  let rampTimedOut = false;
  const started = performance.now();
  let windowStart = 0;
  let windowEnd = 0;
  let cpuStart = 0;
  let cpuEnd = 0;
  let endTimer: NodeJS.Timeout | undefined;
  const cpu = () => (options.cpuOf === undefined ? 0 : cpuSeconds(options.cpuOf));
  const closeWindow = () => {
    if (state !== 'window') return;
    state = 'done';
    windowEnd = performance.now();
    cpuEnd = cpu();
    instance.stop();
  };
  const openWindow = () => {
    if (state !== 'ramp') return;
    state = 'window';
    clearTimeout(rampTimer);
    windowStart = performance.now();
    cpuStart = cpu();
    endTimer = setTimeout(closeWindow, Math.max(seconds * 1000, Math.min(2 * (windowStart - started), MAX_RAMP_MS)));
  };
  const rampTimer = setTimeout(() => {
    rampTimedOut = true;
    openWindow();
  }, MAX_RAMP_MS);
  instance.on('response', (client, statusCode, _bytes, responseTime) => {
    const ok = statusCode >= 200 && statusCode < 300;
    // A failed answer counts from the first request on: a server that fails while ramping up fails.
    if (!ok) fail(`HTTP ${statusCode}`);
    if (state === 'ramp') {
      answered.add(client);
      if (answered.size >= options.connections) openWindow();
    } else if (state === 'window' && ok) {
      latencies.push(responseTime);
    }
  });
  instance.on('reqError', (error) => fail(`error: ${error.code ?? error.message}`));
  instance.on('reqMismatch', () => fail('wrong body'));
  await instance;
  clearTimeout(rampTimer);
  clearTimeout(endTimer);
  // If the load ended by itself (every connection failed), what was measured stands.
  closeWindow();

  const operations = latencies.length / spec.requestsPerOperation;
  const windowSeconds = (windowEnd - windowStart) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => (latencies.length === 0 ? Number.NaN : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
  return {
    opsPerSecond: windowSeconds > 0 ? operations / windowSeconds : 0,
    p50: percentile(0.5),
    p99: percentile(0.99),
    meanMs: operations > 0 ? (windowSeconds * 1000 * options.connections) / operations : Number.NaN,
    operations,
    failures: Object.values(failureKinds).reduce((sum, n) => sum + n, 0),
    failureKinds,
    cpuSeconds: cpuEnd - cpuStart,
    rampTimedOut,
  };
}

function fromTotals(result: Result, spec: LoadSpec, connections: number): LoadResult {
  const operations = result['2xx'] / spec.requestsPerOperation;
  const seconds = result.duration;
  return {
    opsPerSecond: seconds > 0 ? operations / seconds : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanMs: operations > 0 ? (seconds * 1000 * connections) / operations : Number.NaN,
    operations,
    failures: result.non2xx + result.errors + result.timeouts + (result.mismatches ?? 0),
    failureKinds: {},
    cpuSeconds: 0,
    rampTimedOut: false,
  };
}
