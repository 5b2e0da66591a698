// Reference (d), not a product: the least a GraphQL server on this stack does. node:http, each
// document parsed, validated and compiled by graphql-jit once, resolvers calling Clumio through an
// undici Pool (the Mercurius peer's resolvers, undici-resolvers.ts), and JSON.stringify of the result. No
// framework, no protection of any kind: no limits, no request id, no log line, no metrics, no
// deadline, no breaker, no masking (node:http's own request timeouts aside). What it spends per
// operation is a floor for every server here: Mercurius' CPU above it is its framework, the
// gateway's everything it does that the floor does not.
import { createServer, type IncomingMessage } from 'node:http';
import { parse, validate, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { listenPort, subgraphSchema } from './type-defs.js';
import { contextFor, resolvers } from './undici-resolvers.js';

const schema = subgraphSchema(resolvers);

type Plan = CompiledQuery | ExecutionResult;
// The bench sends a handful of documents; a reference server needs no bound.
const plans = new Map<string, Plan>();

function planFor(query: string, operationName: string | undefined): Plan {
  const key = `${operationName ?? ''}\n${query}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    const document = parse(query);
    const errors = validate(schema, document);
    plan = errors.length > 0 ? { errors } : compileQuery(schema, document, operationName);
    plans.set(key, plan);
  }
  return plan;
}

async function answer(req: IncomingMessage, text: string): Promise<ExecutionResult> {
  const { query, variables, operationName } = JSON.parse(text) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  const plan = planFor(query, operationName);
  if (!isCompiledQuery(plan)) return plan;
  return plan.query(undefined, contextFor(req.headers.authorization ?? ''), variables ?? {});
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void answer(req, Buffer.concat(chunks).toString('utf8'))
      .catch((error: unknown) => ({ errors: [{ message: String(error) }] }))
      .then((result) => {
        const body = JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      })
      .catch(() => res.destroy());
  });
}).listen(listenPort(), '127.0.0.1', () => console.log(`floor on http://127.0.0.1:${listenPort()}/graphql`));
