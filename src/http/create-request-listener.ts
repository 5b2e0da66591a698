import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Admission, Release } from './admission.js';
import { addCorsHeaders, createJsonDoor, type JsonDoorOptions } from './json-door.js';
import { createRequestView } from './request-view.js';

/**
 * The gateway's node:http listener with its two doors: plain operations (JSON POSTs, GETs but of
 * mutations) take the gateway's own door (json-door.ts), everything else (GraphiQL, SSE, CORS
 * preflights, health, metrics, odd bodies) Yoga's, through its public `fetch`. Neither door
 * builds a URL from the Host header, and an answer that would carry an error's text (a stack)
 * is replaced by a masked one. A request to the GraphQL endpoint (but a CORS preflight) needs a
 * place among those in flight (admission.ts); without one it is answered 503 with no work done,
 * its body unread until that answer is sent.
 */
export interface GatewayRequestListener extends RequestListener {
  /** How many requests the gateway's own door answered itself (for tests and diagnostics). */
  readonly jsonDoorCount: number;
}

export interface RequestListenerOptions extends Omit<JsonDoorOptions, 'handOverToYoga' | 'failed'> {
  /** Whether the gateway's own door is open (FAST_PATH); when not, Yoga answers everything. */
  jsonDoor: boolean;
  /** The bound on GraphQL requests in flight. */
  admission: Admission;
}

// RFC 3986 authority as a Host header carries it: a registered name or IPv4, or [IPv6], and a port.
const hostPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d{1,5})?$/;

const json = 'application/json; charset=utf-8';

// Yoga answers these with no body; every refusal of the gateway says what was wrong, with a code.
const emptyRefusals: Record<number, { code: string; message: string }> = {
  406: {
    code: 'NOT_ACCEPTABLE',
    message:
      'No answer fits the Accept header: ask for application/graphql-response+json or application/json, and for a subscription text/event-stream.',
  },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the operation as JSON (content-type: application/json), or as a GET query string.',
  },
};

function answerError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { ...headers, 'content-type': json, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Resolves when the response can take more bytes, or the caller has gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

// Streams Yoga's answer (an event stream included) until it ends or the caller leaves, no faster
// than the caller reads it: a subscriber that stops reading holds at most a socket buffer. An
// error's text that Yoga's server adapter put in a plain-text 500 is never sent.
export async function writeFetchResponse(res: ServerResponse, response: Response): Promise<void> {
  if (response.status >= 500 && response.headers.get('content-type')?.startsWith('text/plain') !== false && response.body !== null) {
    await response.body.cancel().catch(() => {});
    return answerError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
  }
  const empty = emptyRefusals[response.status];
  if (empty !== undefined && response.body === null) {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'content-type' && name !== 'content-length') headers[name] = value;
    });
    return answerError(res, response.status, empty.code, empty.message, headers);
  }
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
  const cancel = () => void reader.cancel().catch(() => {});
  res.once('close', cancel);
  try {
    while (!res.destroyed) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
  } finally {
    res.off('close', cancel);
    cancel();
  }
  if (!res.destroyed) res.end();
}

export function createRequestListener(options: RequestListenerOptions): GatewayRequestListener {
  const { yoga, admission } = options;
  const endpoint = yoga.graphqlEndpoint;
  const endpointWithQuery = `${endpoint}?`;
  const door = options.jsonDoor ? createJsonDoor({ ...options, handOverToYoga, failed: fail }) : undefined;

  /**
   * Yoga's door: its whole pipeline through its public fetch, with a request we build. `yogaAnswered`
   * is told once Yoga has its answer, before it is written (an event stream goes on from there).
   */
  async function answerWithYoga(req: IncomingMessage, res: ServerResponse, body?: Buffer | null, yogaAnswered?: Release): Promise<void> {
    const request = createRequestView(req, res);
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const init = {
      method,
      headers: request.headers,
      body: body !== undefined ? body : hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
      signal: request.signal,
      duplex: 'half',
    } as RequestInit;
    const response = await yoga.fetch(request.url, init, { req, res });
    yogaAnswered?.();
    await writeFetchResponse(res, response);
  }

  /**
   * A request Yoga answers whole: its place given back once Yoga has its answer (again, harmlessly,
   * when the answer is written), a failure answered. One reaction (a catch and then a finally
   * would make two promises per request).
   */
  function handOverToYoga(req: IncomingMessage, res: ServerResponse, body: Buffer | null | undefined, release: Release | undefined): void {
    answerWithYoga(req, res, body, release).then(release, (error: unknown) => {
      fail(res, error);
      release?.();
    });
  }

  /**
   * The headers of a refusal the listener answers itself: for a browser's request, the CORS
   * headers Yoga would add, so that the page can read the refusal (else it sees only a failed fetch).
   */
  function refusalHeaders(req: IncomingMessage, res: ServerResponse): Record<string, string> {
    const headers: Record<string, string> = {};
    if (req.headers.origin !== undefined) addCorsHeaders(headers, req, createRequestView(req, res), options.cors);
    return headers;
  }

  /** A request past the bound on those in flight: refused before its body is read. */
  function refuse(req: IncomingMessage, res: ServerResponse): void {
    const headers = refusalHeaders(req, res);
    headers['retry-after'] = '1';
    // A browser's page may read when to retry.
    if (req.headers.origin !== undefined) {
      const exposed = headers['access-control-expose-headers'];
      headers['access-control-expose-headers'] = exposed ? `${exposed}, retry-after` : 'retry-after';
    }
    answerError(res, 503, 'OVERLOADED', 'The gateway is working on as many operations as it takes at once; retry shortly.', headers);
  }

  function fail(res: ServerResponse, error: unknown): void {
    // Only a socket failure, or a fault outside both pipelines, gets here.
    if (!res.headersSent) answerError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    else res.destroy(error instanceof Error ? error : undefined);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host;
    if (host !== undefined && !hostPattern.test(host)) {
      req.resume();
      return answerError(res, 400, 'BAD_REQUEST', 'The Host header is not a valid host name.');
    }
    // Neither door decodes a compressed body: one would be read as malformed JSON.
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return answerError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body uncompressed: no Content-Encoding is read.', refusalHeaders(req, res));
    }
    const mediaType = door?.accepts(req);
    // A place is needed by an operation at the GraphQL endpoint, not by a CORS preflight (Yoga
    // answers it with no work, and a browser whose preflight fails sees no answer at all).
    const url = req.url ?? '/';
    let release: Release | undefined;
    if (req.method !== 'OPTIONS' && (url === endpoint || url.startsWith(endpointWithQuery))) {
      release = admission.admit(req.socket);
      if (release === undefined) return refuse(req, res);
    }
    if (mediaType !== undefined) return door!.handle(req, res, mediaType, release);
    handOverToYoga(req, res, undefined, release);
  };
  return Object.defineProperties(listener, {
    jsonDoorCount: { get: () => door?.answered ?? 0 },
  }) as GatewayRequestListener;
}
