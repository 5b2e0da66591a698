// Peer (a), Fastify + Mercurius with graphql-jit, given the protections the gateway has on, each as a
// Fastify and Mercurius user adds it, from their ecosystem's usual libraries:
// - request id: Fastify's own (a caller's well-formed `x-request-id`, else a UUID), sent back as
//   `x-request-id`;
// - a log line per operation (request id, name, type, duration, outcome) from Fastify's pino
//   logger, written in 32 KB batches as the gateway writes its lines, and no other line per request;
// - metrics: prom-client histograms of each operation and of each Clumio call, served at /metrics;
// - limits: Fastify's body limit and the gateway's graphql-armor rules (depth, aliases,
//   directives) as Mercurius validation rules, at the gateway's defaults (the token limit is a
//   parser's, and Mercurius takes no parser; a known document is parsed once either way);
// - masking: an error that is not a GraphQL one reaches the caller as "Unexpected error.";
// - deadline and call budget: an AbortSignal per operation that every Clumio call of it is given,
//   and a count of its calls;
// - overload: @fastify/under-pressure, which answers 503 while the event loop lags;
// - Clumio's breaker: opossum around every call (a 4xx answer is the caller's, not Clumio's failure);
// - retries: undici's RetryAgent over the Pool (a GET once more after a failure or a 5xx);
// - bounds on one caller's calls: the bench gives it the gateway's, as to Mercurius with the
//   gateway's bounds (PEER_MAX_CONNECTIONS, PEER_CONCURRENCY_PER_OPERATION).
// What the ecosystem has no usual library for is left out: a breaker per caller, and fair shares of
// the calls in flight among callers (the gateway's scheduler).
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
import { Histogram, register } from 'prom-client';
import { RetryAgent } from 'undici';
import { listenPort, subgraphSchema } from './type-defs.js';
import { clumio, peerResolvers, requestJson, type CallClumio, type Context } from './undici-resolvers.js';

// The gateway's defaults (src/config.ts, src/graphql/documents.ts).
const maxBodyBytes = 64 * 1024;
const operationDeadlineMs = 25_000;
const callBudget = 50;
const limits = { maxDepth: 12, maxAliases: 30, maxDirectives: 20 };
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

interface ProtectedContext extends Context {
  signal: AbortSignal;
  /** The operation's Clumio calls so far (an object: Mercurius copies the context's fields into its own). */
  budget: { calls: number };
  /** Set before execution, for the operation's metrics and log line. */
  operation?: { name: string; type: string };
}

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

const retrying = new RetryAgent(clumio, { maxRetries: 1, methods: ['GET'], statusCodes: [502, 503, 504] });

const breaker = new CircuitBreaker(
  (options: Parameters<typeof requestJson>[1]) => requestJson(retrying, options),
  {
    // The operation's signal bounds each call; opossum's own timer per call would be a second one.
    timeout: false,
    errorThresholdPercentage: 50,
    resetTimeout: 30_000,
    errorFilter: (error: { statusCode?: number }) => error.statusCode !== undefined && error.statusCode < 500,
  },
);

const call: CallClumio<ProtectedContext> = async <T>(context: ProtectedContext, path: string, method: 'GET' | 'POST' = 'GET') => {
  if (++context.budget.calls > callBudget) throw new GraphQLError('The operation made too many Clumio calls.', { extensions: { code: 'CALL_BUDGET_EXCEEDED' } });
  const started = performance.now();
  let status = 'none';
  try {
    const answer = (await breaker.fire({
      path,
      method,
      headers: { authorization: context.authorization, accept: 'application/api.clumio.wallets=v1+json' },
      signal: context.signal,
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

const { resolvers, withWallets } = peerResolvers(call);

const app = Fastify({
  loggerInstance: pino({ level: 'info' }, pino.destination({ dest: 1, minLength: 32 * 1024, maxWrite: 64 * 1024, sync: false })),
  logController: new LogController({ disableRequestLogging: true }),
  bodyLimit: maxBodyBytes,
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
  validationRules: [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    maxAliasesRule({ n: limits.maxAliases }),
    maxDirectivesRule({ n: limits.maxDirectives }),
  ],
  context: (request): ProtectedContext =>
    withWallets({ authorization: request.headers.authorization ?? '', signal: AbortSignal.timeout(operationDeadlineMs), budget: { calls: 0 } }),
  errorFormatter: (execution, context) => {
    const formatted = mercurius.defaultErrorFormatter(execution, context);
    const errors = execution.errors.map((error) =>
      error.originalError === undefined || error.originalError instanceof GraphQLError ? error : new GraphQLError('Unexpected error.', { path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    );
    return { statusCode: formatted.statusCode, response: { data: execution.data ?? null, errors: errors.map((e) => e.toJSON()) } };
  },
});
app.graphql.addHook('preExecution', (_schema, document, context) => {
  const operationContext = context as unknown as ProtectedContext & MercuriusContext;
  const body = operationContext.reply.request.body as { operationName?: string } | undefined;
  const ast = getOperationAST(document, body?.operationName);
  operationContext.operation = { name: ast?.name?.value ?? 'anonymous', type: ast?.operation ?? 'unknown' };
});
app.graphql.addHook('onResolution', (execution, context) => {
  const { operation = { name: 'anonymous', type: 'unknown' }, reply } = context as unknown as ProtectedContext & MercuriusContext;
  const outcome = execution.errors === undefined || execution.errors.length === 0 ? 'ok' : 'error';
  const durationMs = reply.elapsedTime;
  operationSeconds.observe({ operation: operation.name, type: operation.type, outcome }, durationMs / 1000);
  reply.request.log.info({ operation: operation.name, type: operation.type, durationMs: Math.round(durationMs * 1000) / 1000, outcome }, 'operation');
});

await app.listen({ port: listenPort(), host: '127.0.0.1' });
console.log(`Mercurius peer with protections on http://127.0.0.1:${listenPort()}/graphql`);
