import type { IncomingMessage, ServerResponse } from 'node:http';
import { abandonmentKey, type Abandonment } from '../request/abandonment.js';
import { NodeHeaders } from './node-headers.js';

/**
 * The part of a Fetch `Request` that the GraphQL pipeline reads (method, url, headers,
 * signal), built straight from Node's request without copying a body or parsing a URL.
 * Its signal aborts when the caller goes away before the answer is sent; it is made on first
 * read, as most requests never need one (see src/request/abandonment.ts).
 */
export function createRequestView(req: IncomingMessage, res: ServerResponse, origin: string): Request {
  let controller: AbortController | undefined;
  let reason: DOMException | undefined;
  const listeners = new Set<(reason: unknown) => void>();
  res.once('close', () => {
    if (res.writableFinished) return;
    reason = new DOMException('The caller disconnected.', 'AbortError');
    controller?.abort(reason);
    for (const listener of listeners) listener(reason);
    listeners.clear();
  });
  const abandonment: Abandonment = (listener) => {
    if (reason !== undefined) {
      listener(reason);
      return () => {};
    }
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    method: req.method ?? 'GET',
    url: origin + (req.url ?? '/'),
    headers: new NodeHeaders(req.headers),
    get signal() {
      if (controller === undefined) {
        controller = new AbortController();
        if (reason !== undefined) controller.abort(reason);
      }
      return controller.signal;
    },
    [abandonmentKey]: abandonment,
  } as unknown as Request;
}
