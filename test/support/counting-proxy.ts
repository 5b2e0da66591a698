import { createServer, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listen } from './gateway.js';

export interface CountingProxy {
  /** Base URL to use as the Clumio origin. */
  url: string;
  /** The most requests that were in flight at once since the last reset. */
  readonly maxInFlight: number;
  reset(): void;
  close(): Promise<void>;
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'host' || name === 'connection' || name === 'content-length' || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A loopback HTTP proxy in front of `target` that counts the requests in flight through it,
 * from the moment a request arrives until its answer has been sent in full.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let active = 0;
  let max = 0;
  const server = createServer((req, res) => {
    active++;
    max = Math.max(max, active);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(target + req.url, { method: req.method, headers: forwardable(req.headers), body, signal: AbortSignal.timeout(10_000) })
        .then(async (upstream) => {
          const payload = Buffer.from(await upstream.arrayBuffer());
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(payload);
        })
        .catch(() => res.destroy())
        .finally(() => active--);
    });
  });
  const url = await listen(server);
  return {
    url,
    get maxInFlight() {
      return max;
    },
    reset() {
      max = active;
    },
    close: () => closeServer(server),
  };
}
