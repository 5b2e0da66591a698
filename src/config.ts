import { clumioRegions, isClumioRegion } from './clumio/regions.js';
import { readTracingConfig } from './observability/tracing-config.js';
import type { TracingConfig } from './observability/tracing.js';
import { readInt, type Env } from './env-values.js';

export interface Config {
  production: boolean;
  port: number;
  host: string;
  /** Clumio's base URL, or null to run on the embedded simulator. */
  clumioBaseUrl: string | null;
  clumio: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxResponseBytes: number;
    maxConnections: number;
    /** Calls in flight towards Clumio, all callers together; the rest wait in a fair queue. */
    maxInFlight: number;
    /** Calls in flight towards Clumio for one caller (one token). */
    maxInFlightPerCaller: number;
    /** Retries of a failed call that is safe to repeat (reads; writes only when nothing was sent). */
    maxRetries: number;
    retryBaseDelayMs: number;
    /** Longest wait before a retry; a longer Retry-After goes back to the caller as RATE_LIMITED. */
    retryMaxDelayMs: number;
    /** Failures in a row (5xx, timeouts, unreachable) that open the circuit breaker. */
    breakerFailureThreshold: number;
    /** How long an open breaker fails fast before one probe call is let through. */
    breakerCooldownMs: number;
  };
  /** Larger request bodies are refused with 413 before being read whole. */
  maxRequestBodyBytes: number;
  /** Serve plain JSON operations without Yoga's Fetch-API request and response handling. */
  fastPath: boolean;
  /** Run known operations on the fast path from a plan compiled once per operation, not Yoga's executor. */
  compiledExecution: boolean;
  /** On SIGTERM, how long in-flight operations get to finish before connections are cut. */
  shutdownGraceMs: number;
  /** Deadline for a whole GraphQL operation, upstream calls and retries included. */
  operationDeadlineMs: number;
  /** Upstream calls one operation may make. */
  upstreamCallBudget: number;
  /** Upstream calls one operation may have in flight at once. */
  upstreamConcurrencyPerOperation: number;
  graphiql: boolean;
  introspection: boolean;
  /** Signs pagination cursors; replicas behind one load balancer must share it. */
  cursorSecret: string | null;
  logLevel: string;
  /** Serve Prometheus metrics at /metrics. */
  metrics: boolean;
  /** OpenTelemetry traces (OTEL_TRACES_EXPORTER=otlp); null when off. */
  tracing: TracingConfig | null;
  /** Execute only the operations of the generated trusted-documents manifest. */
  trustedDocuments: boolean;
  /** Lets a federation router that sends this secret run its own operations in trusted mode. */
  trustedDocumentsRouterSecret: string | null;
  subscriptions: {
    /** How often a watched wallet is read from Clumio. */
    pollIntervalMs: number;
    /** Open subscriptions one caller (token and organizational unit) may hold on this replica. */
    maxPerCaller: number;
    /** Open subscriptions this replica holds in all. */
    maxTotal: number;
  };
  /** Redis shared by the replicas for subscription fan-out; null: in-process only. */
  redisUrl: string | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the whole configuration, reporting every problem at once. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number) => readInt(env, problems, name, fallback, min, max);
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };

  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  let clumioBaseUrl: string | null = null;
  const baseUrl = env.CLUMIO_API_BASE_URL;
  const region = env.CLUMIO_REGION;
  if (baseUrl && region) {
    problems.push('set CLUMIO_API_BASE_URL or CLUMIO_REGION, not both');
  } else if (baseUrl) {
    try {
      const url = new URL(baseUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
      if (url.search || url.hash || url.username || url.password) throw new Error('extra parts');
      clumioBaseUrl = url.href.replace(/\/+$/, '');
    } catch {
      problems.push(`CLUMIO_API_BASE_URL must be an http(s) URL without query, fragment or credentials (got "${baseUrl}")`);
    }
  } else if (region) {
    if (isClumioRegion(region)) clumioBaseUrl = clumioRegions[region];
    else problems.push(`CLUMIO_REGION must be one of ${Object.keys(clumioRegions).join(', ')} (got "${region}")`);
  } else if (production) {
    problems.push('NODE_ENV=production needs CLUMIO_API_BASE_URL or CLUMIO_REGION (the embedded simulator is for development)');
  }

  const cursorSecret = env.CURSOR_SECRET || null;
  if (cursorSecret !== null && cursorSecret.length < 16) problems.push('CURSOR_SECRET must be at least 16 characters');

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }

  const routerSecret = env.TRUSTED_DOCUMENTS_ROUTER_SECRET || null;
  if (routerSecret !== null && !/^[\x21-\x7e]{32,256}$/.test(routerSecret)) {
    problems.push('TRUSTED_DOCUMENTS_ROUTER_SECRET must be 32 to 256 printable characters without spaces');
  }

  let redisUrl: string | null = null;
  if (env.REDIS_URL) {
    // The URL may hold a password: never echo it.
    try {
      const url = new URL(env.REDIS_URL);
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('protocol');
      redisUrl = url.href;
    } catch {
      problems.push('REDIS_URL must be a redis:// or rediss:// URL');
    }
  }

  const config: Config = {
    production,
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || (production ? '0.0.0.0' : '127.0.0.1'),
    clumioBaseUrl,
    clumio: {
      connectTimeoutMs: int('CLUMIO_CONNECT_TIMEOUT_MS', 3_000, 1, 600_000),
      headersTimeoutMs: int('CLUMIO_HEADERS_TIMEOUT_MS', 10_000, 1, 600_000),
      bodyTimeoutMs: int('CLUMIO_BODY_TIMEOUT_MS', 15_000, 1, 600_000),
      maxResponseBytes: int('CLUMIO_MAX_RESPONSE_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxConnections: int('CLUMIO_MAX_CONNECTIONS', 64, 1, 10_000),
      maxInFlight: int('CLUMIO_MAX_IN_FLIGHT', 64, 1, 10_000),
      maxInFlightPerCaller: int('CLUMIO_MAX_IN_FLIGHT_PER_CALLER', 32, 1, 10_000),
      maxRetries: int('CLUMIO_MAX_RETRIES', 2, 0, 10),
      retryBaseDelayMs: int('CLUMIO_RETRY_BASE_DELAY_MS', 100, 1, 60_000),
      retryMaxDelayMs: int('CLUMIO_RETRY_MAX_DELAY_MS', 5_000, 1, 600_000),
      breakerFailureThreshold: int('CLUMIO_BREAKER_FAILURES', 5, 1, 10_000),
      breakerCooldownMs: int('CLUMIO_BREAKER_COOLDOWN_MS', 10_000, 1, 3_600_000),
    },
    maxRequestBodyBytes: int('MAX_REQUEST_BODY_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
    fastPath: bool('FAST_PATH', true),
    compiledExecution: bool('COMPILED_EXECUTION', true),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    operationDeadlineMs: int('OPERATION_DEADLINE_MS', 25_000, 1, 600_000),
    upstreamCallBudget: int('UPSTREAM_CALL_BUDGET', 50, 1, 10_000),
    upstreamConcurrencyPerOperation: int('UPSTREAM_CONCURRENCY_PER_OPERATION', 8, 1, 1_000),
    graphiql: bool('GRAPHIQL', !production),
    introspection: bool('INTROSPECTION', !production),
    cursorSecret,
    logLevel,
    metrics: bool('METRICS', true),
    tracing: readTracingConfig(env, problems),
    trustedDocuments: bool('TRUSTED_DOCUMENTS', false),
    trustedDocumentsRouterSecret: routerSecret,
    subscriptions: {
      pollIntervalMs: int('SUBSCRIPTION_POLL_INTERVAL_MS', 5_000, 500, 3_600_000),
      maxPerCaller: int('SUBSCRIPTIONS_PER_CALLER', 10, 1, 1_000),
      maxTotal: int('SUBSCRIPTIONS_MAX', 1_000, 1, 100_000),
    },
    redisUrl,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
