import { clumioRegions, isClumioRegion } from './clumio/regions.js';
import { readTracingConfig } from './observability/tracing-config.js';
import type { HttpLimits } from './http/server-options.js';
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
    /** Connection failures in a row (refused, DNS, connect timeout) that open the shared circuit breaker. */
    breakerFailureThreshold: number;
    /** The sliding window over which the shared breaker counts failed calls. */
    breakerWindowMs: number;
    /** Calls in the window before its failure rate may open the shared breaker. */
    breakerMinimumCalls: number;
    /** Share of failed calls in the window (0 to 1) that opens the shared breaker. */
    breakerFailureRate: number;
    /** Distinct callers with failed calls in the window before the shared breaker opens. */
    breakerMinimumFailingCallers: number;
    /** One caller's failed calls in a row that hold back that caller's calls (its own breaker). */
    callerBreakerFailureThreshold: number;
    /** How long an open breaker (shared or a caller's) fails fast before one probe call is let through. */
    breakerCooldownMs: number;
  };
  /** Bounds on the gateway's own connections (src/http/server-options.ts). */
  http: HttpLimits;
  /** Larger request bodies are refused with 413 before being read whole. */
  maxRequestBodyBytes: number;
  /** Representations one `_entities` field resolves at most; more is BAD_USER_INPUT. */
  maxRepresentations: number;
  /** Serve plain JSON operations without Yoga's Fetch-API request and response handling. */
  fastPath: boolean;
  /** What the document cache (parsed and validated query texts, both doors) may hold, in bytes. */
  documentCacheBytes: number;
  /** Compiled execution (graphql-jit) of operations that run often. */
  jit: {
    /** Runs of an operation before it is compiled; 0: never. */
    compileAfter: number;
    /** What compiled operations may hold, in bytes. */
    cacheBytes: number;
  };
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

/** Whether a URL's hostname is this machine: plain http to it never crosses a network. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
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
  const allowHttp = bool('CLUMIO_ALLOW_HTTP', false);
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
    // Callers' tokens go to this URL: in production, in clear only to this machine or when asked for.
    if (clumioBaseUrl?.startsWith('http:') && production && !allowHttp && !isLoopback(new URL(clumioBaseUrl).hostname)) {
      problems.push('CLUMIO_API_BASE_URL must be https:// in production (callers\' tokens would cross the network in clear); set CLUMIO_ALLOW_HTTP=true if the network is trusted');
    }
  } else if (region) {
    if (isClumioRegion(region)) clumioBaseUrl = clumioRegions[region];
    else problems.push(`CLUMIO_REGION must be one of ${Object.keys(clumioRegions).join(', ')} (got "${region}")`);
  } else if (production) {
    problems.push('NODE_ENV=production needs CLUMIO_API_BASE_URL or CLUMIO_REGION (the embedded simulator is for development)');
  }

  const cursorSecret = env.CURSOR_SECRET || null;
  if (cursorSecret !== null && cursorSecret.length < 16) problems.push('CURSOR_SECRET must be at least 16 characters');
  // A random key per replica makes a next page fail on another replica behind the load balancer.
  if (cursorSecret === null && production) problems.push('NODE_ENV=production needs CURSOR_SECRET (16+ characters, the same on every replica)');

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

  const http: HttpLimits = {
    maxConnections: int('HTTP_MAX_CONNECTIONS', 4_096, 1, 1_000_000),
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100, 3_600_000),
    // Fits an 8 KB token (longer ones are refused anyway) with the other headers a browser sends.
    maxHeaderBytes: int('HTTP_MAX_HEADER_BYTES', 32 * 1024, 16 * 1024, 1024 * 1024),
    // Each holds up to a body (MAX_REQUEST_BODY_BYTES) and its operation's state; 256 is four
    // times the Clumio calls the gateway has in flight by default (CLUMIO_MAX_IN_FLIGHT).
    maxOperationsInFlight: int('HTTP_MAX_OPERATIONS_IN_FLIGHT', 256, 1, 1_000_000),
    maxOperationsPerConnection: int('HTTP_MAX_OPERATIONS_PER_CONNECTION', 8, 1, 10_000),
  };
  // Node refuses a headers timeout longer than the request timeout.
  if (http.headersTimeoutMs > http.requestTimeoutMs) problems.push('HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS');

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
      breakerWindowMs: int('CLUMIO_BREAKER_WINDOW_MS', 10_000, 100, 3_600_000),
      breakerMinimumCalls: int('CLUMIO_BREAKER_MIN_CALLS', 20, 1, 100_000),
      breakerFailureRate: int('CLUMIO_BREAKER_FAILURE_PERCENT', 50, 1, 100) / 100,
      breakerMinimumFailingCallers: int('CLUMIO_BREAKER_MIN_CALLERS', 3, 1, 1_000),
      callerBreakerFailureThreshold: int('CLUMIO_CALLER_BREAKER_FAILURES', 5, 1, 10_000),
      breakerCooldownMs: int('CLUMIO_BREAKER_COOLDOWN_MS', 10_000, 1, 3_600_000),
    },
    http,
    maxRequestBodyBytes: int('MAX_REQUEST_BODY_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
    // Twice the default call budget (50): a router sends each entity once (Apollo Router dedupes
    // them), and more distinct wallets than the budget cannot all be read in one operation anyway.
    maxRepresentations: int('ENTITIES_MAX_REPRESENTATIONS', 100, 1, 100_000),
    fastPath: bool('FAST_PATH', true),
    documentCacheBytes: int('DOCUMENT_CACHE_BYTES', 32 * 1024 * 1024, 1024 * 1024, 1024 * 1024 * 1024),
    jit: {
      compileAfter: int('JIT_COMPILE_AFTER', 10, 0, 1_000_000),
      cacheBytes: int('JIT_CACHE_BYTES', 16 * 1024 * 1024, 1024 * 1024, 1024 * 1024 * 1024),
    },
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
