import type { Request } from 'autocannon';
import { apolloAccept, urqlAccept } from '../support/client-accept.js';
import type { Target } from './targets.js';

export type ScenarioName = 'wallet' | 'refresh' | 'wallets' | 'entities';

const walletFields = `id accountNativeId awsRegion awsAccount { id } availableVersion clumioAwsAccountId
  deploymentUrl errorCode errorMessage installedRegions keyErrors { region errorCode errorMessage }
  roleArn stackVersion state rawState supportedRegions templateUrl token
  actions { canRefresh canDelete canListKeys } links { rel href method templated }`;

const listFields = 'id state rawState accountNativeId awsRegion errorCode actions { canRefresh canDelete canListKeys }';

/** What the simulator holds that the scenarios point at. */
export interface Fixture {
  token: string;
  /** The wallet read and refreshed: one with key errors, so every field has a value. */
  walletId: string;
  /** Distinct wallets that the `_entities` representations name. */
  entityIds: string[];
  representations: number;
  pageSize: number;
}

export interface Scenario {
  name: ScenarioName;
  /** The caller's Clumio token. */
  token: string;
  title: string;
  /** Distinct Clumio calls one operation needs: what the gateway must make, no more. */
  upstreamCalls: number;
  graphql: { query: string; variables: Record<string, unknown> };
  /** The same work against Clumio itself: the REST calls one operation needs. */
  direct: Request[];
}

export function scenarios(fixture: Fixture): Scenario[] {
  const { token, walletId, entityIds, pageSize } = fixture;
  const path = (id: string) => `/wallets/${encodeURIComponent(id)}`;
  return [
    {
      name: 'wallet',
      token,
      title: 'wallet(id), every field',
      upstreamCalls: 1,
      graphql: { query: `query Wallet($id: ID!) { wallet(id: $id) { ${walletFields} } }`, variables: { id: walletId } },
      direct: [{ method: 'GET', path: path(walletId) }],
    },
    {
      name: 'refresh',
      token,
      title: 'refreshWallet',
      upstreamCalls: 1,
      graphql: {
        query: `mutation Refresh($id: ID!) { refreshWallet(id: $id) { wallet { ${walletFields} } } }`,
        variables: { id: walletId },
      },
      direct: [{ method: 'POST', path: `${path(walletId)}/_refresh` }],
    },
    {
      name: 'wallets',
      token,
      title: `wallets(first: ${pageSize})`,
      upstreamCalls: 1,
      graphql: {
        query: `query Wallets($first: Int) { wallets(first: $first) { edges { cursor node { ${listFields} } } pageInfo { hasNextPage endCursor } } }`,
        variables: { first: pageSize },
      },
      direct: [{ method: 'GET', path: `/wallets?limit=${pageSize}&start=` }],
    },
    {
      name: 'entities',
      token,
      title: `_entities, ${fixture.representations} representations of ${entityIds.length} wallets`,
      upstreamCalls: entityIds.length,
      graphql: {
        query: `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Wallet { ${listFields} } } }`,
        variables: {
          representations: Array.from({ length: fixture.representations }, (_, i) => ({
            __typename: 'Wallet',
            id: entityIds[i % entityIds.length],
          })),
        },
      },
      direct: entityIds.map((id) => ({ method: 'GET', path: path(id) })),
    },
  ];
}

/** One autocannon load: what to send, and how many HTTP requests make one operation. */
export interface LoadSpec {
  /** The server's origin. */
  url: string;
  /** The requests of one operation, per caller: connection i sends those of caller i mod callers.length. */
  callers: Request[][];
  requestsPerOperation: number;
}

/**
 * The Accept header of the GraphQL requests: plain JSON, as curl, fetch and many server-side callers
 * send it. Clients that also list `application/graphql-response+json` are measured separately.
 */
export const GRAPHQL_ACCEPT = 'application/json';
export const GRAPHQL_RESPONSE_ACCEPT = 'application/graphql-response+json, application/json';

/** How a client sends an operation: a GET (its query string) or a JSON POST, and its headers beside the token. */
export interface RequestStyle {
  name: string;
  title: string;
  get: boolean;
  headers: Record<string, string>;
}

/** The bench's request: a JSON POST from a server. */
export const serverStyle: RequestStyle = { name: 'server', title: 'a JSON POST from a server (`Accept: application/json`)', get: false, headers: { accept: GRAPHQL_ACCEPT } };

/** A client that also accepts application/graphql-response+json. */
export const graphqlResponseStyle: RequestStyle = { name: 'graphql-response', title: 'a JSON POST accepting graphql-response+json', get: false, headers: { accept: GRAPHQL_RESPONSE_ACCEPT } };

// A browser sends its page's origin with every POST and every cross-origin GET.
const pageOrigin = 'https://app.example';

/** Frontends in a browser, as their clients send an operation by default. */
export const frontendStyles: RequestStyle[] = [
  {
    name: 'apollo-browser',
    title: 'Apollo Client 4 in a browser: a POST with `Origin`',
    get: false,
    headers: { accept: apolloAccept, origin: pageOrigin },
  },
  {
    name: 'urql-browser',
    title: 'urql in a browser: a GET with `Origin` (its default for a query)',
    get: true,
    headers: { accept: urqlAccept, origin: pageOrigin },
  },
];

/** One scenario against one target, from each caller's copy of it (same operation, own token and wallets). */
export function loadSpec(perCaller: Scenario[], target: Target, url: string, style: RequestStyle = serverStyle): LoadSpec {
  const origin = new URL(url);
  const callers = perCaller.map((scenario): Request[] => {
    const authorization = `Bearer ${scenario.token}`;
    if (target.kind === 'direct') {
      const headers = { authorization, accept: 'application/api.clumio.wallets=v1+json' };
      return scenario.direct.map((r) => ({ ...r, headers }));
    }
    const headers = { ...style.headers, authorization };
    if (style.get) {
      const search = new URLSearchParams({ query: scenario.graphql.query, variables: JSON.stringify(scenario.graphql.variables) });
      return [{ method: 'GET', path: `${origin.pathname}?${search}`, headers }];
    }
    return [{ method: 'POST', path: origin.pathname, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(scenario.graphql) }];
  });
  return { url: origin.origin, callers, requestsPerOperation: callers[0]!.length };
}
