// The loop of the bench's two reference servers, the floor (floor.ts) and the gateway's data path
// alone (data-path.ts), so that what they are compared on is the same: node:http, each document
// parsed, validated and compiled by graphql-jit once, the compiled query run with a context of the
// server's own, and JSON.stringify of the result. Not a product: no limits, no request id, no log
// line, no metrics, no masking, and Node's own server settings.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse, validate, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

export interface OperationParams {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface CompiledLoop<C> {
  name: string;
  schema: GraphQLSchema;
  port: number;
  host: string;
  /** The context of one operation's execution. */
  contextFor: (req: IncomingMessage, res: ServerResponse, params: OperationParams) => C;
  /** Called once the operation's execution has ended, whatever its outcome. */
  done?: (context: C) => void;
}

type Plan = CompiledQuery | ExecutionResult;

export function serveCompiled<C>(loop: CompiledLoop<C>): void {
  const { schema, contextFor, done } = loop;
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

  async function answer(req: IncomingMessage, res: ServerResponse, text: string): Promise<ExecutionResult> {
    const params = JSON.parse(text) as OperationParams;
    const plan = planFor(params.query, params.operationName);
    if (!isCompiledQuery(plan)) return plan;
    const context = contextFor(req, res, params);
    // Without `done` (the floor), the compiled query's answer is handed on as it is, with no wait of its own.
    if (done === undefined) return plan.query(undefined, context, params.variables ?? {});
    try {
      return await plan.query(undefined, context, params.variables ?? {});
    } finally {
      done(context);
    }
  }

  createServer((req, res) => {
    // What the bench waits for before it loads a variant of the gateway.
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void answer(req, res, Buffer.concat(chunks).toString('utf8'))
        .catch((error: unknown) => ({ errors: [{ message: String(error) }] }))
        .then((result) => {
          const body = JSON.stringify(result);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        })
        .catch(() => res.destroy());
    });
  }).listen(loop.port, loop.host, () => console.log(`${loop.name} on http://${loop.host}:${loop.port}/graphql`));
}
