import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import manifest from '../generated/client/persisted-documents.json' with { type: 'json' };

/** The header a federation router sends, with the configured secret, to run its own operations. */
export const routerSecretHeader = 'x-gateway-router-secret';

/** The generated manifest (schema/operations/ → `npm run codegen`): `sha256:<hex>` → document. */
export const trustedDocuments: Readonly<Record<string, string>> = manifest;

const hashPattern = /^(?:sha256:)?([0-9a-f]{64})$/;

export interface TrustedParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * The document id a client sent, as a manifest key: `extensions.persistedQuery.sha256Hash`
 * (the APQ form, version 1) or `documentId` (GraphQL-over-HTTP's form, with or without the
 * `sha256:` prefix) in a POST body or a GET query string.
 */
export function trustedDocumentId(params: TrustedParams, request: Request): string | null {
  const persisted = asRecord(asRecord(params.extensions)?.persistedQuery);
  let id: unknown = persisted?.version === 1 ? persisted.sha256Hash : undefined;
  id ??= params.documentId;
  if (id === undefined && request.method === 'GET') id = new URL(request.url).searchParams.get('documentId') ?? undefined;
  const match = typeof id === 'string' ? hashPattern.exec(id) : null;
  return match ? `sha256:${match[1]}` : null;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

const refusals = {
  notFound: () =>
    new GraphQLError("This operation is not one of the gateway's trusted documents: send the hash of a document from its manifest.", {
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    }),
  queryOnly: () =>
    new GraphQLError(
      'This gateway runs only trusted documents: send `extensions.persistedQuery.sha256Hash` (or `documentId`) of a document from its manifest instead of `query`.',
      { extensions: { code: 'PERSISTED_QUERY_ONLY' } },
    ),
  noId: () =>
    new GraphQLError(
      'This gateway runs only trusted documents: send `extensions.persistedQuery` ({ "version": 1, "sha256Hash": "<64 hex digits>" }) or `documentId`.',
      { extensions: { code: 'PERSISTED_QUERY_ONLY' } },
    ),
};

export interface TrustedDocumentsOptions {
  /** When set, a request carrying it in `x-gateway-router-secret` may run any operation. */
  routerSecret: string | null;
}

/**
 * Trusted-documents mode: only operations of the generated manifest run, named by their hash;
 * any other document is refused before parsing, so it costs no upstream call. A federation
 * router plans its own operations (`_entities`, `_service`, sub-selections of root fields)
 * and cannot name them by hash, so it may run arbitrary operations only with the shared
 * router secret; without one configured, this mode is for direct frontend traffic only.
 */
export interface TrustedDocumentsStep {
  /**
   * The parameters that go on: the query text these parameters may run, with their variables,
   * operation name and extensions (never `documentId`); throws the coded refusal otherwise.
   */
  operationParams<P extends TrustedParams>(params: P, request: Request): { query: string } & Pick<P, 'variables' | 'operationName' | 'extensions'>;
}

export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocumentsStep {
  const expected = options.routerSecret === null ? null : digest(options.routerSecret);
  const isRouter = (request: Request): boolean => {
    const sent = request.headers.get(routerSecretHeader);
    return expected !== null && sent !== null && timingSafeEqual(digest(sent), expected);
  };
  const queryFor = (params: TrustedParams, request: Request): string => {
    if (params.query) {
      if (typeof params.query === 'string' && isRouter(request)) return params.query;
      throw refusals.queryOnly();
    }
    const id = trustedDocumentId(params, request);
    if (id === null) throw refusals.noId();
    const document = trustedDocuments[id];
    if (document === undefined) throw refusals.notFound();
    return document;
  };
  return {
    operationParams(params, request) {
      return { query: queryFor(params, request), variables: params.variables, operationName: params.operationName, extensions: params.extensions };
    },
  };
}
