import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { createGatewayServer } from '../../src/http/server-options.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/observability/logger.js';
import { parseJson, readJson, type GraphQLBody } from './json.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: GraphQLBody<T>;
}

export interface TestGateway {
  /** http://127.0.0.1:port/graphql */
  url: string;
  origin: string;
  simulator: Simulator;
  app: App;
  server: Server;
  /** POSTs one operation as JSON, with the demo token unless `token` says otherwise (null: no header). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /**
   * POSTs a raw body (any text, for malformed requests) with the demo token; `body` is its JSON
   * when it is JSON, else empty, and `text` what came back.
   */
  post<T = Record<string, unknown>>(body: string, headers?: Record<string, string>): Promise<{ status: number; body: GraphQLBody<T>; text: string }>;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and its open connections (nothing when it was never made). */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The gateway on loopback in front of a fresh simulator, built as main.ts builds it. */
export interface GatewayOptions {
  env?: Record<string, string>;
  simulator?: SimulatorOptions;
  /** Puts something between the gateway and the simulator (a proxy): maps the simulator's URL to the one the gateway calls. */
  via?: (simulatorUrl: string) => Promise<string>;
  /** Where the gateway logs (silent by default). */
  logger?: Logger;
  /** The logger's count of dropped lines, as main.ts passes the process logger's. */
  logLinesDropped?: () => number;
}

export async function startGateway(
  options: GatewayOptions = {},
): Promise<TestGateway> {
  const simulator = createSimulator(options.simulator);
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  const clumioBaseUrl = options.via ? await options.via(simulatorUrl) : simulatorUrl;
  // A shared cursor secret, as every deployment sets (production requires one).
  const config = loadConfig({ NODE_ENV: 'test', CLUMIO_API_BASE_URL: clumioBaseUrl, LOG_LEVEL: 'silent', CURSOR_SECRET: 'test-gateway-cursor-secret', ...options.env });
  const app = createApp({
    config,
    clumioBaseUrl,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.logLinesDropped ? { logLinesDropped: options.logLinesDropped } : {}),
  });
  const server = createGatewayServer(config.http, app.handler);
  const origin = await listen(server);
  const url = `${origin}/graphql`;

  return {
    url,
    origin,
    simulator,
    app,
    server,
    async gql(query, variables, opts = {}) {
      const token = opts.token === undefined ? simulator.demoToken : opts.token;
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: response.status, headers: response.headers, body: await readJson<GraphQLBody<never>>(response) };
    },
    async post(body, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${simulator.demoToken}`,
          ...headers,
        },
        body,
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      let parsed: GraphQLBody<never> = {};
      try {
        parsed = parseJson<GraphQLBody<never>>(text);
      } catch {
        // Not JSON: callers look at `text` and `status`.
      }
      return { status: response.status, body: parsed, text };
    },
    async close() {
      await closeServer(server);
      await app.close();
      await simulator.close();
    },
  };
}

/**
 * One gateway for the enclosing file or describe: started in beforeAll, closed in afterAll,
 * and its simulator's faults and recorded requests cleared before each test. Returns a
 * stand-in that forwards to the running gateway, so `gateway.gql(...)` reads as usual.
 */
export function useGateway(options: GatewayOptions = {}): TestGateway {
  let current: TestGateway | undefined;
  beforeAll(async () => {
    current = await startGateway(options);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  beforeEach(() => {
    current!.simulator.clearFaults();
    current!.simulator.clearRequests();
  });
  return new Proxy({} as TestGateway, {
    get(_target, property) {
      if (!current) throw new Error(`useGateway: no gateway running (read of "${String(property)}" outside its tests)`);
      return Reflect.get(current, property) as unknown;
    },
  });
}
