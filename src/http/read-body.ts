import type { IncomingMessage } from 'node:http';

/**
 * Reads the request's body and hands it to `done`, or undefined once it passes `limit` bytes (the
 * connection is then dropped: the caller's Content-Length said less than it sent); a failure of
 * the request's stream goes to `failed`. Callbacks rather than a promise: the request's steps
 * after it run on as they are reached, with no promise or turn of the microtask queue between.
 */
export function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void, failed: (error: Error) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  // Each callback is called at most once, and only one of them: nothing after the first counts.
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      settled = true;
      req.destroy();
      done(undefined);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  req.on('error', (error) => {
    if (settled) return;
    settled = true;
    failed(error);
  });
}
