// Peer (a), Fastify + Mercurius with graphql-jit, given the protections the gateway has on, each as a
// Fastify and Mercurius user adds it, from their ecosystem's usual libraries, with the gateway's
// settings (PEER_PROTECTIONS, which the bench reads from the gateway's configuration):
// - request id: a caller's well-formed `x-request-id`, else a UUID, as Fastify's request id, sent
//   back as `x-request-id`;
// - a log line per operation (request id, name, type, duration, outcome) from Fastify's pino
//   logger, written in 32 KB batches as the gateway writes its lines, and no other line per request;
// - metrics: prom-client histograms of each operation and of each Clumio call, and its process
//   metrics, served at /metrics;
// - limits: Fastify's body limit, graphql-js' token limit as Mercurius' parse option, and the
//   gateway's graphql-armor rules (depth, aliases, directives) as Mercurius validation rules;
// - masking: an error a resolver threw that is not a GraphQL one reaches the caller as
//   "Unexpected error." (a refused request keeps its message);
// - deadline and call budget: an AbortSignal per operation that every Clumio call of it is given,
//   its timer cleared as the operation ends, and a count of its calls;
// - overload: @fastify/under-pressure, which answers 503 while the event loop lags;
// - Clumio's breaker: opossum around every call (a 4xx answer is the caller's, not Clumio's
//   failure), without its latency percentiles, which nothing here reads;
// - retries: undici's RetryAgent over the Pool (a GET again after a failure, 429 or 5xx);
// - bounds on one caller's calls: the gateway's, as Mercurius with the gateway's bounds has them
//   (PEER_MAX_CONNECTIONS, PEER_CONCURRENCY_PER_OPERATION).
// Left out: what the ecosystem has no usual library for (a breaker per caller, fair shares of the
// calls in flight among callers, calls cut short when their caller leaves, bounded metric label
// values, a bound on requests in flight rather than on the event loop's lag), and a cap on the
// size of Clumio's answers and the gateway's own Clumio timeouts (undici's defaults stand).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import underPressure from '@fastify/under-pressure';
import Fastify, { LogController } from 'fastify';
import { getOperationAST, GraphQLError } from 'graphql';
import mercurius, { type MercuriusContext } from 'mercurius';
import CircuitBreaker from 'opossum';
import pino from 'pino';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';
import { RetryAgent } from 'undici';
import type { ProtectedSettings } from '../targets.js';
import { listenPort, subgraphSchema } from './type-defs.js';
import { clumio, peerResolvers, requestJson, walletsMediaType, type CallClumio, type Context } from './undici-resolvers.js';

/** The gateway's settings the protections take, from the bench. */
if (!process.env.PEER_PROTECTIONS) throw new Error('PEER_PROTECTIONS (the gateway settings, as JSON) is required');
const settings = JSON.parse(process.env.PEER_PROTECTIONS) as ProtectedSettings;
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

interface ProtectedContext extends Context {
  deadline: AbortController;
  timer: NodeJS.Timeout;
  /** The operation's Clumio calls so far. */
  calls: number;
  /** Its name and type, for its metrics and log line: set before execution, unnamed until then. */
  operation: { name: string; type: string };
}

const unnamed = { name: 'anonymous', type: 'unknown' };

collectDefaultMetrics();
const operationSeconds = new Histogram({
  name: 'graphql_operation_duration_seconds',
  help: 'GraphQL operations by name, type and outcome.',
  labelNames: ['operation', 'type', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
const callSeconds = new Histogram({
  name: 'clumio_request_duration_seconds',
  help: 'Clumio calls by operation, status and outcome.',
  labelNames: ['operation', 'status', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const retrying = new RetryAgent(clumio, {
  maxRetries: settings.maxRetries,
  minTimeout: settings.retryBaseDelayMs,
  maxTimeout: settings.retryMaxDelayMs,
  methods: ['GET'],
  statusCodes: [429, 502, 503, 504],
});

const breaker = new CircuitBreaker((options: Parameters<typeof requestJson>[1]) => requestJson(retrying, options), {
  // The operation's deadline bounds each call; opossum's own timer per call would be a second one.
  timeout: false,
  errorThresholdPercentage: settings.breakerFailurePercent,
  volumeThreshold: settings.breakerMinimumCalls,
  rollingCountTimeout: settings.breakerWindowMs,
  resetTimeout: settings.breakerCooldownMs,
  rollingPercentilesEnabled: false,
  enableSnapshots: false,
  errorFilter: (error: { statusCode?: number }) => error.statusCode !== undefined && error.statusCode < 500 && error.statusCode !== 429,
});

const call: CallClumio<ProtectedContext> = async <T>(context: ProtectedContext, path: string, method: 'GET' | 'POST' = 'GET') => {
  if (++context.calls > settings.callBudget) throw new GraphQLError('The operation made too many Clumio calls.', { extensions: { code: 'CALL_BUDGET_EXCEEDED' } });
  const started = performance.now();
  let status = 'none';
  try {
    const answer = (await breaker.fire({
      path,
      method,
      headers: { authorization: context.authorization, accept: walletsMediaType },
      signal: context.deadline.signal,
    })) as T;
    status = '200';
    return answer;
  } catch (error) {
    status = String((error as { statusCode?: number }).statusCode ?? 'none');
    throw error;
  } finally {
    callSeconds.observe({ operation: method === 'POST' ? 'refresh' : path.includes('?') ? 'list' : 'read', status, outcome: status === '200' ? 'ok' : 'error' }, (performance.now() - started) / 1000);
  }
};

const { resolvers, walletLoader } = peerResolvers(call);

const app = Fastify({
  loggerInstance: pino({ level: 'info' }, pino.destination({ dest: 1, minLength: 32 * 1024, maxWrite: 64 * 1024, sync: false })),
  logController: new LogController({ disableRequestLogging: true }),
  bodyLimit: settings.maxBodyBytes,
  requestIdHeader: false,
  genReqId: (req: IncomingMessage) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
  },
});
await app.register(underPressure, { maxEventLoopDelay: 1_000, retryAfter: 1 });
app.addHook('onRequest', (request, reply, done) => {
  reply.header('x-request-id', request.id);
  done();
});
app.get('/metrics', async (_request, reply) => reply.type(register.contentType).send(await register.metrics()));

await app.register(mercurius, {
  schema: subgraphSchema(resolvers),
  jit: 1,
  graphql: { parseOptions: { maxTokens: settings.documentLimits.maxTokens } },
  validationRules: [
    maxDepthRule({ n: settings.documentLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    maxAliasesRule({ n: settings.documentLimits.maxAliases }),
    maxDirectivesRule({ n: settings.documentLimits.maxDirectives }),
  ],
  context: (request): ProtectedContext => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), settings.operationDeadlineMs);
    const context: ProtectedContext = { authorization: request.headers.authorization ?? '', wallets: undefined!, deadline, timer, calls: 0, operation: unnamed };
    context.wallets = walletLoader(context);
    return context;
  },
  errorFormatter: (execution, context) => {
    const { statusCode } = mercurius.defaultErrorFormatter(execution, context);
    const errors = execution.errors.map((error) =>
      error.path === undefined || error.originalError === undefined || error.originalError instanceof GraphQLError
        ? error.toJSON()
        : { message: 'Unexpected error.', path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    );
    return { statusCode, response: { data: execution.data ?? null, errors } };
  },
});
app.graphql.addHook('preExecution', (_schema, document, context) => {
  const operationContext = context as unknown as ProtectedContext & MercuriusContext;
  const body = operationContext.reply.request.body as { operationName?: string } | undefined;
  const ast = getOperationAST(document, body?.operationName);
  if (ast) operationContext.operation = { name: ast.name?.value ?? unnamed.name, type: ast.operation };
});
app.graphql.addHook('onResolution', (execution, context) => {
  const { operation, reply, timer } = context as unknown as ProtectedContext & MercuriusContext;
  clearTimeout(timer);
  const outcome = execution.errors === undefined || execution.errors.length === 0 ? 'ok' : 'error';
  const durationMs = reply.elapsedTime;
  operationSeconds.observe({ operation: operation.name, type: operation.type, outcome }, durationMs / 1000);
  reply.request.log.info({ operation: operation.name, type: operation.type, durationMs: Math.round(durationMs * 1000) / 1000, outcome }, 'operation');
});

await app.listen({ port: listenPort(), host: '127.0.0.1' });
console.log(`Mercurius peer with protections on http://127.0.0.1:${listenPort()}/graphql`);
