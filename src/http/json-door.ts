import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRegularResult, type CORSOptions, type YogaServerInstance } from 'graphql-yoga';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import { OperationTypeNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { refusedDocument, type DocumentEntry, type DocumentStore } from '../graphql/documents.js';
import type { TrustedDocumentsStep } from '../graphql/trusted-documents.js';
import { asksForGraphiQLPage } from '../graphql/plugins/use-graphiql.js';
import { requestIdOf } from '../request/request-id.js';
import { operationNameOf, type OperationParams, type RunOperation } from '../graphql/run-operation.js';
import { isPreflighted } from './csrf.js';
import { readBody } from './read-body.js';
import type { Release } from './admission.js';
import { createRequestView } from './request-view.js';

/**
 * The gateway's own door for the common request: a JSON POST of one query or mutation, or a GET
 * of one operation that is not a mutation (urql sends queries so by default), from a server-side
 * caller or a browser (with the CORS headers Yoga would add). It runs the gateway's steps in
 * order: read the body within its limit (or the query string), read the parameters, look the
 * document up (parse, validate, limits: the document store), run the operation (observe, context with caller, deadline and
 * call budget, execute, mask: run-operation), serialize as Yoga's JSON result processor does
 * (its public `processRegularResult`), and answer with the request id. Yoga's door runs the
 * same modules as plugins. Anything else (an unusual body, a subscription, a CORS preflight, a GET
 * of a mutation, an answer as a stream, GraphiQL) goes to Yoga whole.
 */
export interface JsonDoorOptions {
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  documents: DocumentStore;
  runOperation: RunOperation;
  /** In trusted-documents mode, what each request may run. */
  trusted?: TrustedDocumentsStep | undefined;
  /** Larger bodies are left to Yoga, which refuses them. */
  maxBodyBytes: number;
  /** Yoga's `healthCheckEndpoint`. */
  healthEndpoint: string;
  /** Whether GraphiQL is served (its page requests are Yoga's to answer). */
  graphiql: boolean;
  /** The CORS options Yoga is given: a browser's request is answered with the same headers. */
  cors: CORSOptions;
  /**
   * Hands the request to Yoga's door, with its body as already read; its handling ends there (its
   * place given back once Yoga has its answer, a failure answered).
   */
  handOverToYoga: (req: IncomingMessage, res: ServerResponse, body: Buffer | null, release: Release | undefined) => void;
  /** Answers a request whose handling failed outside the operation (a socket's failure, or a fault of ours). */
  failed: (res: ServerResponse, error: unknown) => void;
}


const paramKeys = new Set(['query', 'variables', 'operationName', 'extensions']);
// In trusted-documents mode a body may name its document by `documentId` instead (GraphQL over HTTP).
const trustedParamKeys = new Set([...paramKeys, 'documentId']);

export type MediaType = 'application/json' | 'application/graphql-response+json';

/**
 * The media type of a single answer (a query's or a mutation's) as Yoga picks it, when it picks
 * one of its JSON types (else undefined: Yoga answers, with an event stream, multipart or a 406).
 * Yoga's choice: the first entry of the Accept header that one of its JSON types matches, an
 * entry with a charset other than UTF-8 skipped, and of the two types the last the entry matches
 * (so a wildcard, for any type or any application type, is application/json). Entries for
 * streams before it do not matter: Yoga answers a single result as JSON whenever it may. urql,
 * for one, sends `application/graphql-response+json, application/graphql+json, application/json,
 * text/event-stream, multipart/mixed`.
 */
export function jsonMediaTypeFor(accept: string | undefined): MediaType | undefined {
  // What servers send (or nothing), answered without reading the list.
  if (accept === undefined || accept === 'application/json') return 'application/json';
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type = '', ...parameters] = entry.split(';');
    if ((parameters.find((p) => p.includes('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue;
    const [main, sub] = type.split('/');
    if (main !== '*' && main !== 'application') continue;
    if (sub === '*' || sub === 'json') return 'application/json';
    if (sub === 'graphql-response+json') return 'application/graphql-response+json';
  }
  return undefined;
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.toLowerCase().replace(/\s+/g, '');
  return type === 'application/json' || type === 'application/json;charset=utf-8';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parameters of one operation, or undefined for anything else. */
function plainParams(body: unknown, keys: ReadonlySet<string> = paramKeys): OperationParams | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const key in body) if (!keys.has(key)) return undefined;
  const { query, variables, operationName, extensions } = body as OperationParams;
  if (query !== undefined && typeof query !== 'string') return undefined;
  if (variables != null && !isPlainObject(variables)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (extensions != null && !isPlainObject(extensions)) return undefined;
  return body;
}

/**
 * The parameters of a GET, from its query string as Yoga reads them (an empty value is no value;
 * `variables` and `extensions` are JSON), or undefined for anything else.
 */
function queryStringParams(url: string): OperationParams | undefined {
  const search = new URLSearchParams(url.slice(url.indexOf('?') + 1));
  const json = (name: string): unknown => {
    const value = search.get(name);
    return value ? JSON.parse(value) : undefined;
  };
  try {
    return plainParams({ query: search.get('query') || undefined, variables: json('variables'), operationName: search.get('operationName') || undefined, extensions: json('extensions') });
  } catch {
    return undefined;
  }
}

/** Copies `from` (none when null) into `headers` under lower-case names, as node:http writes them. */
function addHeaders(headers: Record<string, string>, from: Record<string, string> | null): void {
  for (const name in from) headers[name.toLowerCase()] = from[name]!;
}

/**
 * A browser's request (with an Origin): adds the headers Yoga's CORS plugin would, from the same
 * public function and options. Nothing for a server's request.
 */
export function addCorsHeaders(headers: Record<string, string>, req: IncomingMessage, request: Request, cors: CORSOptions): void {
  if (req.headers.origin !== undefined) addHeaders(headers, getCORSHeadersByRequestAndOptions(request, cors));
}

/** What Yoga's JSON result processor puts in a Response, captured without building one. */
class CapturedResponse {
  constructor(
    readonly body: string,
    readonly init: { status: number; headers: Record<string, string> },
  ) {}
}
const captureFetchApi = { Response: CapturedResponse } as unknown as Parameters<typeof processRegularResult>[1];

export function createJsonDoor(options: JsonDoorOptions) {
  const { yoga, documents, runOperation, maxBodyBytes, handOverToYoga, failed, trusted, cors, healthEndpoint, graphiql } = options;
  const endpoint = yoga.graphqlEndpoint;
  const getPrefix = `${endpoint}?`;
  const bodyKeys = trusted === undefined ? paramKeys : trustedParamKeys;
  let answered = 0;

  /**
   * The media type of the door's answer when the headers alone let it answer (checked before a
   * body is read; cheap checks first, as every request passes here); else undefined.
   */
  function accepts(req: IncomingMessage): MediaType | undefined {
    const h = req.headers;
    if (h['transfer-encoding'] !== undefined) return undefined;
    if (req.method === 'POST') {
      // A JSON body is never a form's: CSRF prevention (csrf.ts) lets it pass.
      if (req.url !== endpoint || h['content-length'] === undefined || Number(h['content-length']) > maxBodyBytes || !isJsonContentType(h['content-type'])) return undefined;
    } else if (req.method === 'GET') {
      const url = req.url!;
      // Without a body; and not what Yoga answers before any operation: GraphiQL's page and its
      // health check (any URL ending in the health endpoint).
      if (!url.startsWith(getPrefix) || url.endsWith(healthEndpoint) || (h['content-length'] !== undefined && h['content-length'] !== '0')) return undefined;
      if (graphiql && asksForGraphiQLPage('GET', h.accept)) return undefined;
      // Checked as on Yoga's door: a GET passes with a preflight header (or a content type a form cannot have).
      if (!isPreflighted(h['content-type'], (name) => h[name] !== undefined)) return undefined;
    } else {
      return undefined;
    }
    return jsonMediaTypeFor(h.accept);
  }

  // A handling that failed: answered by `failed`, and its place given back.
  function fault(res: ServerResponse, release: Release | undefined, error: unknown): void {
    failed(res, error);
    release?.();
  }

  /**
   * Answers a request `accepts` took, in the media type it gave. Its place among the requests in
   * flight (`release`) is given back once its handling ends, failed or not (a failure is answered
   * by `failed`), or, for a request handed to Yoga, as soon as Yoga has its answer. Callbacks
   * rather than an async function: an operation that needs no wait (refused, or answered from
   * what the request has) is answered within the body's last event, and one that waits on Clumio
   * makes no promise of the door's own.
   */
  function handle(req: IncomingMessage, res: ServerResponse, mediaType: MediaType, release: Release | undefined): void {
    // A GET has no body (Yoga's door is given none either); a POST's is undefined when over the limit.
    if (req.method === 'GET') return answer(req, res, mediaType, null, release);
    readBody(
      req,
      maxBodyBytes,
      (body) => answer(req, res, mediaType, body, release),
      (error) => fault(res, release, error),
    );
  }

  function answer(req: IncomingMessage, res: ServerResponse, mediaType: MediaType, body: Buffer | null | undefined, release: Release | undefined): void {
    try {
      let params: OperationParams | undefined;
      if (body === null) params = queryStringParams(req.url!);
      else if (body) {
        try {
          params = plainParams(JSON.parse(body.toString('utf8')), bodyKeys);
        } catch {
          params = undefined;
        }
      }
      const request = createRequestView(req, res);
      let entry: DocumentEntry | undefined;
      if (params !== undefined && trusted !== undefined) {
        try {
          params = trusted.operationParams(params, request);
        } catch (error) {
          entry = refusedDocument([error as GraphQLError]);
        }
      }
      if (entry === undefined && typeof params?.query === 'string') entry = documents.read(params.query);
      // The operation's type whenever the document parsed, valid or not.
      const type = entry?.operation(operationNameOf(params!))?.operation;
      // Yoga gives its own answer for the body as read: to a subscription (a stream), and to a GET
      // of a mutation, valid or not (it refuses one with 405 as soon as it is parsed).
      if (params === undefined || entry === undefined || (entry.valid && type === OperationTypeNode.SUBSCRIPTION) || (body === null && type === OperationTypeNode.MUTATION)) {
        return handOverToYoga(req, res, body ?? null, release);
      }

      answered++;
      const pending = runOperation(entry, params, request, { req, res });
      if (pending instanceof Promise) {
        pending.then(
          (result) => respond(req, res, request, mediaType, result, release),
          (error: unknown) => fault(res, release, error),
        );
      } else {
        respond(req, res, request, mediaType, pending, release);
      }
    } catch (error) {
      fault(res, release, error);
    }
  }

  // Serializes the result as Yoga's JSON result processor does, and writes it with the request id.
  function respond(req: IncomingMessage, res: ServerResponse, request: Request, mediaType: MediaType, result: ExecutionResult, release: Release | undefined): void {
    try {
      const answer = processRegularResult(result, captureFetchApi, mediaType) as unknown as CapturedResponse;
      const headers: Record<string, string> = {};
      addHeaders(headers, answer.init.headers);
      // The string JSON.stringify gave: Node joins it to the headers' text and writes both at once,
      // leaving no buffer outside the heap to wait for a collection.
      headers['content-length'] = String(Buffer.byteLength(answer.body));
      headers['x-request-id'] = requestIdOf(request);
      addCorsHeaders(headers, req, request, cors);
      res.writeHead(answer.init.status, headers);
      res.end(answer.body);
    } catch (error) {
      return fault(res, release, error);
    }
    release?.();
  }

  return {
    accepts,
    handle,
    /** How many requests this door answered itself (the rest it handed to Yoga). */
    get answered() {
      return answered;
    },
  };
}
