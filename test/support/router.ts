import { createServer } from 'node:http';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { closeServer, listen } from './gateway.js';

export interface SubgraphService {
  name: string;
  url: string;
  typeDefs: string;
}

export interface SubgraphFetch {
  subgraph: string;
  authorization: string | null;
  query: string;
  variables: Record<string, unknown> | undefined;
}

export interface Router {
  /** http://127.0.0.1:port/graphql */
  url: string;
  supergraphSdl: string;
  /** Requests the router sent to subgraphs, oldest first. */
  readonly fetches: SubgraphFetch[];
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> } }>;
  close(): Promise<void>;
}

/** The client headers the wallet subgraph needs: the caller's Clumio token, the OU scope, the request id. */
export const forwardedHeaders = ['authorization', 'x-clumio-organizationalunit-context', 'x-request-id'];

/** The name the wallet gateway has in the supergraph. */
export const walletSubgraph = 'wallets';

/** Composes the subgraphs into a supergraph and serves it with Hive Gateway on loopback. */
export async function startRouter(services: SubgraphService[]): Promise<Router> {
  const composition = composeServices(services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })));
  if (composition.errors) throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  const supergraphSdl = composition.supergraphSdl;
  const fetches: SubgraphFetch[] = [];
  const names = new Map(services.map((s) => [s.url, s.name]));
  const recordFetches: GatewayPlugin = {
    onFetch({ url, options }) {
      const headers = new Headers(options.headers);
      const body = typeof options.body === 'string' ? (JSON.parse(options.body) as { query?: string; variables?: Record<string, unknown> }) : {};
      fetches.push({ subgraph: names.get(url) ?? url, authorization: headers.get('authorization'), query: body.query ?? '', variables: body.variables });
    },
  };
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      // The caller's Clumio token goes to the wallet subgraph only, never to its neighbours.
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === walletSubgraph ? Object.fromEntries(forwardedHeaders.map((name) => [name, request.headers.get(name)])) : {},
    },
    plugins: () => [recordFetches],
  });
  const server = createServer(runtime.requestListener);
  const url = `${await listen(server)}/graphql`;
  return {
    url,
    supergraphSdl,
    fetches,
    async query(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    async close() {
      await closeServer(server);
      await runtime.dispose();
    },
  };
}
