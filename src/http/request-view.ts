import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeHeaders } from './node-headers.js';

/**
 * The part of a Fetch `Request` that the GraphQL pipeline reads (method, url, headers,
 * signal), built straight from Node's request without copying a body or parsing a URL.
 * Its signal aborts when the caller goes away before the answer is sent.
 */
export function createRequestView(req: IncomingMessage, res: ServerResponse, origin: string): Request {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new DOMException('The caller disconnected.', 'AbortError'));
  };
  res.once('close', onClose);
  const headers = new NodeHeaders(req.headers);
  return {
    method: req.method ?? 'GET',
    url: origin + (req.url ?? '/'),
    headers,
    signal: controller.signal,
  } as unknown as Request;
}
