import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { BreakerState } from '../clumio/breaker.js';
import type { ClumioCallEvent, ClumioObserver } from '../clumio/client.js';
import { HistogramFamily } from './histogram.js';
import { createLabelValues, errorCodePattern, operationNamePattern } from './label-values.js';
import type { ObservedOperation, OperationListener, OperationOutcome } from './operation.js';

const breakerStates: readonly BreakerState[] = ['closed', 'open', 'half-open'];

export interface MetricsOptions {
  /** Distinct operation names kept as label values; later ones count as `other`. Default 100. */
  maxOperationNames?: number;
  /** Also export Node's process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
  /** How many log lines were dropped so far (read at each scrape); no such metric when absent. */
  logLinesDropped?: () => number;
  /** GraphQL requests in flight and refused (read at each scrape); no such metrics when absent. */
  admission?: { readonly inFlight: number; readonly refused: number };
}

const operationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const upstreamBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];

/** A metric's child per label combination (values in labelNames order), looked up once. */
function childOf<Child>(metric: { labels(...values: string[]): Child }): (...values: string[]) => Child {
  const children = new Map<string, Child>();
  return (...values) => {
    const key = values.join(' ');
    let child = children.get(key);
    if (child === undefined) {
      child = metric.labels(...values);
      children.set(key, child);
    }
    return child;
  };
}

/**
 * The gateway's Prometheus metrics, in a registry of their own (never prom-client's global one,
 * so several apps can live in one process), and the two hot-path histograms beside it. Every
 * label value is bounded: operation names and error codes come from callers and pass through
 * createLabelValues; upstream calls are labelled by the Clumio operation's name, never by URL or
 * id; no label ever holds a token.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const operationName = createLabelValues({ pattern: operationNamePattern, max: options.maxOperationNames ?? 100 });
  const errorCode = createLabelValues({ pattern: errorCodePattern, max: 50 });
  const httpStatus = createLabelValues({ pattern: /^[1-5]\d\d$/, max: 50 });

  // The two histograms observed on every operation and every Clumio call are the gateway's own
  // (histogram.ts); prom-client's registry holds everything else.
  const operationDuration = new HistogramFamily(
    'graphql_operation_duration_seconds',
    'GraphQL operations by name, type and outcome ("ok", or the code of the first error), with their duration.',
    ['operation', 'type', 'outcome'],
    operationBuckets,
  );
  const operationErrors = new Counter({
    name: 'graphql_operation_errors_total',
    help: 'Operations that ended with an error of this code (each code counted once per operation).',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const upstreamDuration = new HistogramFamily(
    'clumio_request_duration_seconds',
    'HTTP exchanges with Clumio (one per attempt) by Clumio operation, HTTP status ("none" without an answer) and code ("ok" or the error code).',
    ['operation', 'status', 'code'],
    upstreamBuckets,
  );
  const retries = new Counter({
    name: 'clumio_retries_total',
    help: 'Clumio calls retried, by Clumio operation and the error code that caused the retry.',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const callersHeldBack = new Counter({
    name: 'clumio_callers_held_back_total',
    help: 'Times one caller\'s calls were held back because they kept failing (its own breaker opened).',
    registers: [registry],
  });
  // A count kept elsewhere, read at each scrape.
  const countedElsewhere = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const { logLinesDropped, admission } = options;
  if (logLinesDropped) {
    countedElsewhere('gateway_log_lines_dropped_total', 'Log lines dropped because stdout fell further behind than the logger holds lines for it.', logLinesDropped);
  }
  if (admission) {
    new Gauge({
      name: 'gateway_requests_in_flight',
      help: 'GraphQL requests being worked on (HTTP_MAX_OPERATIONS_IN_FLIGHT bounds them).',
      registers: [registry],
      collect() {
        this.set(admission.inFlight);
      },
    });
    countedElsewhere(
      'gateway_requests_refused_total',
      'GraphQL requests answered 503 OVERLOADED: past the bound on requests in flight, in all or on one connection.',
      () => admission.refused,
    );
  }
  const breaker = new Gauge({
    name: 'clumio_breaker_state',
    help: 'Circuit breaker state per Clumio origin: 1 for the current state, 0 for the others.',
    labelNames: ['origin', 'state'] as const,
    registers: [registry],
  });

  // Counters' children looked up once per label combination, which saves building a label object
  // per increment (prom-client still hashes the labels on each; these count errors and retries).
  const operationErrorChild = childOf(operationErrors);
  const retryChild = childOf(retries);

  function setBreaker(origin: string, state: BreakerState): void {
    for (const s of breakerStates) breaker.set({ origin, state: s }, s === state ? 1 : 0);
  }

  /** Every metric in the text format: the registry's, then the gateway's own histograms. */
  async function exposition(): Promise<string> {
    // Metrics are separated by a blank line, as the registry separates its own (in the text
    // format it writes by default: an OpenMetrics registry would end its text with `# EOF`).
    return `${await registry.metrics()}\n${operationDuration.exposition()}\n${upstreamDuration.exposition()}`;
  }

  const operations: OperationListener = {
    finished(operation: ObservedOperation, outcome: OperationOutcome): void {
      const name = operation.name === undefined ? 'anonymous' : operationName(operation.name);
      const type = operation.type ?? 'unknown';
      const result = outcome.codes.length === 0 ? 'ok' : errorCode(outcome.codes[0]!);
      operationDuration.series(name, type, result).observe(outcome.durationMs / 1000);
      for (const code of outcome.codes) operationErrorChild(name, errorCode(code)).inc();
    },
  };

  const clumio: ClumioObserver = {
    callFinished(event: ClumioCallEvent): void {
      const status = event.status === undefined ? 'none' : httpStatus(String(event.status));
      upstreamDuration.series(event.operation, status, event.code ?? 'ok').observe(event.durationMs / 1000);
    },
    retrying(event): void {
      retryChild(event.operation, event.code).inc();
    },
    breakerChanged(event): void {
      setBreaker(event.origin, event.state);
    },
    callerHeldBack(): void {
      callersHeldBack.inc();
    },
  };

  return {
    /** Listener for useObservedOperations. */
    operations,
    /** Observer for the Clumio client. */
    clumio,
    /** Shows an origin's breaker before its first change (it starts closed). */
    watchOrigin(origin: string): void {
      setBreaker(origin, 'closed');
    },
    /** The exposition text and its content type, for GET /metrics. */
    async scrape(): Promise<{ body: string; contentType: string }> {
      return { body: await exposition(), contentType: registry.contentType };
    },
    /** The exposition text (what GET /metrics serves). */
    exposition,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
