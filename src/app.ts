import type { GraphQLSchema } from 'graphql';
import { createYoga, type CORSOptions, type Plugin, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import type { Dispatcher } from 'undici';
import { createClumioClient, type ClumioClient } from './clumio/client.js';
import { createWalletsApi } from './clumio/wallets-api.js';
import type { Config } from './config.js';
import { createContextFactory, type GatewayContext } from './graphql/context.js';
import { createCursorCodec } from './graphql/cursor.js';
import { createLocalBackend, createRedisBackend } from './graphql/live/live-backend.js';
import { createLiveWallets, type LiveWallets } from './graphql/live/live-wallets.js';
import { maskError, withoutSuggestions } from './graphql/mask-error.js';
import { createDocumentStore, defaultDocumentLimits } from './graphql/documents.js';
import { useDocuments } from './graphql/plugins/use-documents.js';
import { createExecutor, useExecutor } from './graphql/executor.js';
import { useGraphiQL, type GraphiQLDefaults } from './graphql/plugins/use-graphiql.js';
import { useCloseOnTooLarge } from './graphql/plugins/use-close-on-too-large.js';
import { useOperationDeadline } from './graphql/plugins/use-operation-deadline.js';
import { useReadiness } from './graphql/plugins/use-readiness.js';
import { useMetrics } from './graphql/plugins/use-metrics.js';
import { createOperationObserver, observedOperationOf, useObservedOperations } from './graphql/plugins/use-observed-operations.js';
import { createRunOperation } from './graphql/run-operation.js';
import { useRequestId } from './graphql/plugins/use-request-id.js';
import { useRequestParseErrors } from './graphql/plugins/use-request-parse-errors.js';
import { useTrustedDocuments } from './graphql/plugins/use-trusted-documents.js';
import { createTrustedDocuments } from './graphql/trusted-documents.js';
import { createSchema } from './graphql/schema.js';
import { useCsrfPrevention } from './http/csrf.js';
import { Admission } from './http/admission.js';
import { createRequestListener, type GatewayRequestListener } from './http/create-request-listener.js';
import { createClumioObserver } from './observability/clumio-observer.js';
import { silentLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createOperationLog } from './observability/operation-log.js';
import { createTracing } from './observability/tracing.js';
import { createUnexpectedErrors } from './graphql/unexpected-errors.js';
import { version } from './version.js';

export interface AppDeps {
  config: Config;
  /** The Clumio base URL to call (the configured one, or the embedded simulator's). */
  clumioBaseUrl: string;
  /** Connection pool towards Clumio; by default one keep-alive pool per origin. */
  dispatcher?: Dispatcher;
  /** Where operation lines and unexpected errors go; silent when absent. */
  logger?: Logger;
  /** How many log lines the logger has dropped so far (a stdout that fell behind), for the metrics. */
  logLinesDropped?: () => number;
  /** Also export Node's process metrics (one set per process: main.ts turns it on). */
  processMetrics?: boolean;
  /** What GraphiQL opens with, e.g. the embedded simulator's demo token in its header editor. */
  graphiqlDefaults?: GraphiQLDefaults;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The node:http listener: the gateway's own door for plain operations (JSON POSTs, GETs but of mutations), Yoga's for the rest. */
  handler: GatewayRequestListener;
  clumio: ClumioClient;
  /** Prometheus metrics, served at /metrics unless METRICS=false. */
  metrics: Metrics;
  /** Live wallet state behind the `walletChanged` subscription. */
  live: LiveWallets;
  /** The executable schema both doors run. */
  schema: GraphQLSchema;
  /** The context factory both doors run (caller, deadline, call budget, wallet service). */
  context: (initial: YogaInitialContext) => GatewayContext;
  /** How many operations ran compiled (graphql-jit), for tests and diagnostics. */
  readonly compiledRuns: number;
  /** Releases the upstream connections. */
  close(): Promise<void>;
}

/** Builds the gateway: schema, Clumio client and Yoga. Reads no environment, listens nowhere. */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  const logger = deps.logger ?? silentLogger();
  const admission = new Admission({ maxInFlight: config.http.maxOperationsInFlight, maxPerConnection: config.http.maxOperationsPerConnection });
  const metrics = createMetrics({ processMetrics: deps.processMetrics ?? false, admission, ...(deps.logLinesDropped ? { logLinesDropped: deps.logLinesDropped } : {}) });
  const tracing = config.tracing ? createTracing(config.tracing, { serviceVersion: version }) : undefined;
  const unexpectedErrors = createUnexpectedErrors();
  const maskAndRemember = unexpectedErrors.wrap(config.production ? withoutSuggestions(maskError) : maskError);
  const clumio = createClumioClient({
    baseUrl: deps.clumioBaseUrl,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    timeouts: {
      connectMs: config.clumio.connectTimeoutMs,
      headersMs: config.clumio.headersTimeoutMs,
      bodyMs: config.clumio.bodyTimeoutMs,
    },
    maxResponseBytes: config.clumio.maxResponseBytes,
    connections: config.clumio.maxConnections,
    clientName: 'clumio-wallet-gateway',
    clientVersion: version,
    observer: createClumioObserver({
      // With METRICS=false nothing is recorded that nobody reads.
      metrics: config.metrics ? metrics.clumio : {},
      logger,
      ...(tracing ? { callStarted: tracing.clumioCallStarted(deps.clumioBaseUrl) } : {}),
    }),
    limits: { maxInFlight: config.clumio.maxInFlight, maxInFlightPerCaller: config.clumio.maxInFlightPerCaller },
    retry: { maxRetries: config.clumio.maxRetries, baseDelayMs: config.clumio.retryBaseDelayMs, maxDelayMs: config.clumio.retryMaxDelayMs },
    breaker: {
      failureThreshold: config.clumio.breakerFailureThreshold,
      windowMs: config.clumio.breakerWindowMs,
      minimumCalls: config.clumio.breakerMinimumCalls,
      failureRate: config.clumio.breakerFailureRate,
      minimumFailingCallers: config.clumio.breakerMinimumFailingCallers,
      cooldownMs: config.clumio.breakerCooldownMs,
    },
    callerBreaker: { failureThreshold: config.clumio.callerBreakerFailureThreshold, cooldownMs: config.clumio.breakerCooldownMs },
  });

  metrics.watchOrigin(clumio.origin);

  const schema = createSchema({ maxRepresentations: config.maxRepresentations });
  const documents = createDocumentStore({
    schema,
    limits: defaultDocumentLimits,
    introspection: config.introspection,
    hideSuggestions: config.production,
    maxBytes: config.documentCacheBytes,
  });
  const execute = createExecutor({ compileAfter: config.jit.compileAfter, maxBytes: config.jit.cacheBytes });
  const observer = createOperationObserver([
    ...(config.metrics ? [metrics.operations] : []),
    createOperationLog(logger, unexpectedErrors),
    ...(tracing ? [tracing.operations] : []),
  ]);
  const plugins: Plugin[] = [
    useRequestId(),
    useOperationDeadline(),
    useObservedOperations(observer),
    ...(config.metrics ? [useMetrics(metrics)] : []),
    useReadiness(() => clumio.health()),
    useCloseOnTooLarge(),
    useRequestParseErrors(),
    useDocuments(documents),
    useExecutor(execute),
    useCsrfPrevention(),
  ];
  if (config.graphiql) plugins.push(useGraphiQL({ endpoint: '/graphql', defaults: deps.graphiqlDefaults }));
  const trusted = config.trustedDocuments ? createTrustedDocuments({ routerSecret: config.trustedDocumentsRouterSecret }) : undefined;
  if (trusted) plugins.push(useTrustedDocuments(trusted));

  const api = createWalletsApi(clumio);
  const live = createLiveWallets({
    api,
    backend: config.redisUrl ? createRedisBackend(config.redisUrl) : createLocalBackend(),
    pollIntervalMs: config.subscriptions.pollIntervalMs,
    readDeadlineMs: config.operationDeadlineMs,
    maxPerCaller: config.subscriptions.maxPerCaller,
    maxTotal: config.subscriptions.maxTotal,
  });

  const context = createContextFactory({
    api,
    cursors: createCursorCodec(config.cursorSecret),
    operationDeadlineMs: config.operationDeadlineMs,
    upstreamCallBudget: config.upstreamCallBudget,
    upstreamConcurrency: config.upstreamConcurrencyPerOperation,
    ...(tracing ? { upstreamHeaders: (initial: object) => tracing.upstreamHeaders(observedOperationOf(initial)) } : {}),
    live,
  });
  // Yoga's default: any origin, named back with credentials allowed (callers send a bearer token,
  // which a page of another site does not have). Both doors answer a browser with it.
  const cors: CORSOptions = {};
  const healthEndpoint = '/health';
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: healthEndpoint,
    cors,
    // 413 REQUEST_ENTITY_TOO_LARGE past the limit, counted while streaming when there is no Content-Length.
    maxRequestBodySize: config.maxRequestBodyBytes,
    // One operation per request: a batch would share one upstream call budget and deadline.
    batching: false,
    landingPage: false,
    // Served by useGraphiQL, from the gateway itself.
    graphiql: false,
    maskedErrors: { maskError: maskAndRemember },
    // The document store (useDocuments) is the one parse and validation cache of both doors.
    parserAndValidationCache: false,
    logging: false,
    context,
    plugins,
  });

  const handler = createRequestListener({
    yoga: yoga as never,
    admission,
    documents,
    runOperation: createRunOperation({ schema, context, observer, execute, maskError: maskAndRemember }),
    trusted,
    cors,
    healthEndpoint,
    graphiql: config.graphiql,
    jsonDoor: config.fastPath,
    maxBodyBytes: config.maxRequestBodyBytes,
  });

  return {
    yoga,
    handler,
    clumio,
    metrics,
    live,
    schema,
    context,
    get compiledRuns() {
      return execute.compiledRuns;
    },
    close: async () => {
      await live.close();
      await clumio.close();
      await tracing?.shutdown();
    },
  };
}
