import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { PreparedOperations } from '../graphql/prepared-operations.js';
import { createRequestView } from './request-view.js';

/**
 * The common request (a JSON POST of one operation from a server-side caller) served without
 * Yoga's Fetch-API request parsing and response streaming, which cost more than the whole
 * GraphQL execution. Everything else is Yoga's own: its onRequest and onResponse hooks, its
 * params hooks (trusted documents, param checks), the envelop pipeline (parse and validation
 * caches, document limits, context, execution, error masking) and its result processor for
 * `application/json`, so both paths answer alike. Anything unusual goes to Yoga whole.
 */
export interface FastPathOptions {
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  /** Larger bodies are left to Yoga, which refuses them. */
  maxBodyBytes: number;
  /** The error mask Yoga uses, for an error thrown before execution (a params hook). */
  maskError: (error: unknown) => Error;
  /** Runs operations whose document Yoga already validated, without its per-request pipeline. */
  prepared?: PreparedOperations | undefined;
}

type Hooks = {
  onRequest?: (payload: Record<string, unknown>) => unknown;
  onResultProcess?: (payload: Record<string, unknown>) => unknown;
  onResponse?: (payload: Record<string, unknown>) => unknown;
};

type ResultProcessor = (result: unknown, fetchAPI: unknown, mediaType: string) => unknown;

type Params = { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown };

const paramKeys = new Set(['query', 'variables', 'operationName', 'extensions']);

// Accept headers asking only for a single JSON answer; Yoga's own result-process hook then
// picks the media type, status and body exactly as on its path.
const jsonMediaTypes = new Set(['application/json', 'application/graphql-response+json', '*/*', 'application/*']);
function acceptsOnlyJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return true;
  for (const part of accept.split(',')) {
    if (!jsonMediaTypes.has(part.split(';', 1)[0]!.trim().toLowerCase())) return false;
  }
  return true;
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.toLowerCase().replace(/\s+/g, '');
  return type === 'application/json' || type === 'application/json;charset=utf-8';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plainParams(body: unknown): Params | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const key in body) if (!paramKeys.has(key)) return undefined;
  const { query, variables, operationName, extensions } = body as Params;
  if (query !== undefined && typeof query !== 'string') return undefined;
  if (query === undefined && !isPlainObject(extensions)) return undefined;
  if (variables != null && !isPlainObject(variables)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (extensions != null && !isPlainObject(extensions)) return undefined;
  return body as Params;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Captures what Yoga's result processor would put in a Response, without building one. */
class CapturedResponse {
  constructor(
    readonly body: BodyInit | null,
    readonly init: { status?: number; headers?: Record<string, string> },
  ) {}
}
const captureFetchApi = { Response: CapturedResponse };

// Streams Yoga's answer (an event stream included) until it ends or the caller leaves.
async function writeFetchResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === 'set-cookie' ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    res.write(value);
  }
  res.end();
}

// The fast path's response is written by the path itself; a hook replacing it is not supported.
function setResponse(): void {}

// Most hooks answer synchronously: awaiting only what is a promise spares a microtask turn each.
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The part of Fetch `Headers` that response hooks use, over a plain object (names in lowercase). */
class ResponseHeaders {
  readonly values: Record<string, string> = Object.create(null) as Record<string, string>;
  set(name: string, value: string): void {
    this.values[name.toLowerCase()] = String(value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const previous = this.values[key];
    this.values[key] = previous === undefined ? String(value) : `${previous}, ${value}`;
  }
  get(name: string): string | null {
    return this.values[name.toLowerCase()] ?? null;
  }
  has(name: string): boolean {
    return this.values[name.toLowerCase()] !== undefined;
  }
  delete(name: string): void {
    delete this.values[name.toLowerCase()];
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const name in this.values) callback(this.values[name]!, name);
  }
}

// A subscription is answered as a stream by Yoga; a false positive only costs the slower path.
const mentionsSubscription = /\bsubscription\b/;

export function createFastPath(options: FastPathOptions) {
  const { yoga, maxBodyBytes, maskError, prepared } = options;
  const plugins = ((yoga as unknown as { plugins: Hooks[] }).plugins ?? []) as Hooks[];
  const onRequestHooks = plugins.filter((p) => p.onRequest).map((p) => p.onRequest!.bind(p));
  const onResultProcessHooks = plugins.filter((p) => p.onResultProcess).map((p) => p.onResultProcess!.bind(p));
  const onResponseHooks = plugins.filter((p) => p.onResponse).map((p) => p.onResponse!.bind(p));
  const endpoint = yoga.graphqlEndpoint;

  /** Whether the headers alone allow the fast path (checked before the body is read). */
  function accepts(req: IncomingMessage): boolean {
    const h = req.headers;
    return (
      req.method === 'POST' &&
      req.url === endpoint &&
      h.origin === undefined &&
      h['transfer-encoding'] === undefined &&
      h['content-length'] !== undefined &&
      Number(h['content-length']) <= maxBodyBytes &&
      isJsonContentType(h['content-type']) &&
      acceptsOnlyJson(h.accept)
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? 'localhost';
    const origin = `http://${host}`;
    const body = await readBody(req, maxBodyBytes);
    let params: Params | undefined;
    if (body !== undefined) {
      try {
        params = plainParams(JSON.parse(body.toString('utf8')));
      } catch {
        params = undefined;
      }
    }
    const serverContext = { req, res };
    const request = createRequestView(req, res, origin);
    // A known document is a query or a mutation; an unknown one may be a subscription.
    const known = params === undefined ? undefined : prepared?.lookup(params.query);
    if (params === undefined || (known === undefined && typeof params.query === 'string' && mentionsSubscription.test(params.query))) {
      // Not a plain operation: Yoga gives its own answer for the body as read.
      const init = { method: 'POST', headers: request.headers, body: body ?? null, signal: request.signal };
      return writeFetchResponse(res, await yoga.fetch(request.url, init, serverContext));
    }

    let ended: Response | undefined;
    if (onRequestHooks.length > 0) {
      let url: URL | undefined;
      // One payload for every hook; the URL is parsed only if a hook reads it, as on Yoga's path.
      const payload = {
        request,
        get url() {
          return (url ??= new URL(request.url));
        },
        serverContext,
        fetchAPI: yoga.fetchAPI,
        requestHandler: undefined,
        setRequestHandler() {},
        setRequest() {},
        endResponse(response: Response) {
          ended = response;
        },
      };
      for (const hook of onRequestHooks) {
        const pending = hook(payload);
        if (isThenable(pending)) await pending;
        if (ended) break;
      }
    }
    let status: number;
    let payload: string | null;
    const headers = new ResponseHeaders();
    if (ended) {
      status = ended.status;
      ended.headers.forEach((value, name) => headers.set(name, value));
      payload = await ended.text();
    } else {
      let result: unknown;
      try {
        result =
          (known && (await prepared!.run(known, params, request, serverContext))) ??
          (await yoga.getResultForParams({ params: params as never, request }, serverContext as never));
      } catch (error) {
        // As Yoga does for an error raised before execution (a params hook refusing).
        result = { errors: [maskError(error)] };
      }
      // Yoga's result-process hooks pick the processor (its own: JSON for these Accept headers).
      let processor: ResultProcessor | undefined;
      let mediaType = '*/*';
      for (const hook of onResultProcessHooks) {
        const pending = hook({
          request,
          result,
          serverContext,
          acceptableMediaTypes: [],
          resultProcessor: processor,
          setResult(next: unknown) {
            result = next;
          },
          setResultProcessor(next: ResultProcessor, nextMediaType: string) {
            processor = next;
            mediaType = nextMediaType;
          },
        });
        if (isThenable(pending)) await pending;
      }
      if (processor === undefined) {
        status = 406;
        payload = null;
      } else {
        let processed = processor(result, captureFetchApi, mediaType) as CapturedResponse | PromiseLike<CapturedResponse>;
        if (isThenable(processed)) processed = await processed;
        if (processed.body !== null && typeof processed.body !== 'string') {
          // A streamed answer: only Yoga's own Response can carry it.
          return writeFetchResponse(res, new Response(processed.body, processed.init));
        }
        status = processed.init.status ?? 200;
        payload = processed.body;
        for (const [name, value] of Object.entries(processed.init.headers ?? {})) headers.set(name, value);
      }
    }

    // One payload for every response hook, as for the request hooks.
    const responsePayload = { request, response: { status, headers } as unknown as Response, serverContext, fetchAPI: yoga.fetchAPI, setResponse };
    for (const hook of onResponseHooks) {
      const pending = hook(responsePayload);
      if (isThenable(pending)) await pending;
    }
    const out = headers.values;
    if (payload !== null) out['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(status, out);
    res.end(payload ?? undefined);
  }

  return { accepts, handle };
}
