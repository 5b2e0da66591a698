import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import { createFastPath, type FastPathOptions } from './fast-path.js';

/**
 * The gateway's node:http listener: plain JSON operations take the fast path, everything
 * else (GraphiQL, GET, SSE, CORS requests from browsers, health, metrics, odd bodies) Yoga.
 */
export interface GatewayRequestListener extends RequestListener {
  /** How many requests took the fast path (for tests and diagnostics). */
  readonly fastPathCount: number;
  /** How many of those ran a known document without Yoga's per-request pipeline. */
  readonly preparedCount: number;
  /** How many of those ran from a compiled execution plan. */
  readonly compiledCount: number;
}

export function createRequestListener(options: FastPathOptions & { fastPath: boolean }): GatewayRequestListener {
  const yoga = options.yoga as YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  const fast = options.fastPath ? createFastPath(options) : undefined;
  let fastPathCount = 0;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!fast?.accepts(req)) {
      void yoga(req, res);
      return;
    }
    fastPathCount++;
    fast.handle(req, res).catch((error: unknown) => {
      // Only a socket failure gets here (the pipeline's own errors are results).
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      } else {
        res.destroy(error instanceof Error ? error : undefined);
      }
    });
  };
  return Object.defineProperties(listener, {
    fastPathCount: { get: () => fastPathCount },
    preparedCount: { get: () => options.prepared?.count ?? 0 },
    compiledCount: { get: () => options.prepared?.compiledCount ?? 0 },
  }) as GatewayRequestListener;
}
