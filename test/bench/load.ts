import autocannon from 'autocannon';
import type { LoadSpec } from './scenarios.js';

export interface LoadResult {
  /** Operations per second (HTTP requests per second ÷ requests per operation). */
  opsPerSecond: number;
  /** Latency of one HTTP request, ms (autocannon's histogram). */
  p50: number;
  p99: number;
  /** Mean time per operation on one connection, ms: duration × connections ÷ operations. */
  meanMs: number;
  operations: number;
  /** Non-2xx answers, socket errors, timeouts and (with expectBody) wrong bodies. */
  failures: number;
}

export async function runLoad(
  spec: LoadSpec,
  options: { connections: number; seconds?: number; amount?: number; expectBody?: string },
): Promise<LoadResult> {
  const { callers } = spec;
  let connection = 0;
  const result = await autocannon({
    url: spec.url,
    requests: callers[0]!,
    // Each connection is one caller's, round-robin: autocannon builds its connections one by one.
    ...(callers.length > 1 ? { setupClient: (client) => client.setRequests(callers[connection++ % callers.length]!) } : {}),
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds ?? 5 } : { amount: options.amount }),
    // autocannon's expectBody refuses `requests`; verifyBody is the same check.
    ...(options.expectBody === undefined ? {} : { verifyBody: (body: string) => body === options.expectBody }),
    timeout: 20,
  });
  const ok = result['2xx'];
  const operations = ok / spec.requestsPerOperation;
  const seconds = result.duration;
  return {
    opsPerSecond: seconds > 0 ? operations / seconds : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanMs: operations > 0 ? (seconds * 1000 * options.connections) / operations : Number.NaN,
    operations,
    failures: result.non2xx + result.errors + result.timeouts + (result.mismatches ?? 0),
  };
}
