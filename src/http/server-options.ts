import { createServer, type RequestListener, type Server } from 'node:http';

/** Bounds on what a connection may hold of the gateway, each from src/config.ts. */
export interface HttpLimits {
  /** Open connections; past it new ones are closed as they arrive. */
  maxConnections: number;
  /** A request's headers must have arrived within this, counted from its first byte or, on a new connection, from the connection (then 408). */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this (then 408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (Node adds a second of grace). */
  keepAliveTimeoutMs: number;
  /** Request line and headers together; more is refused with 431 before any GraphQL work. */
  maxHeaderBytes: number;
  /** GraphQL requests in flight, all connections together; past it 503 (src/http/admission.ts). */
  maxOperationsInFlight: number;
  /** GraphQL requests in flight on one connection (pipelined); past it 503. */
  maxOperationsPerConnection: number;
}

/**
 * The gateway's node:http server with its connection bounds, so slow or idle connections cost
 * bounded memory for a bounded time: a connection that never finishes its headers, or its body,
 * is answered 408 and closed; an idle one is closed; past the cap new ones are refused.
 */
export function createGatewayServer(limits: HttpLimits, listener: RequestListener): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      // A header sent twice is read as both values (Node would keep the first): two Authorization
      // headers are then two tokens, refused, where a proxy in front might have used the other.
      joinDuplicateHeaders: true,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the two request timeouts are checked: Node's 30 s would let them overrun by as much.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
