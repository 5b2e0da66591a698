import type { Server } from 'node:http';

/**
 * Stops accepting connections and lets the requests in flight finish: keep-alive connections
 * are closed as soon as they fall idle, and whatever is still open after `graceMs` is cut.
 * Resolves true when everything finished within the grace period.
 */
export function drainServer(server: Server, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let inTime = true;
    // Requests that still arrive on an open keep-alive connection are answered, then it closes.
    // Prepended, so the header is set before the gateway's own listener can write anything.
    server.prependListener('request', (_request, response) => response.setHeader('connection', 'close'));
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => {
      inTime = false;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve(inTime);
    });
    server.closeIdleConnections();
  });
}
