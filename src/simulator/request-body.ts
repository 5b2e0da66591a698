import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Larger bodies are answered 413: no wallet request comes near it, and memory stays bounded. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Calls back with the body as text, or undefined when it was larger than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => done(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString() : undefined));
  // An aborted upload has nobody left to answer; the socket is already gone.
  req.on('error', () => undefined);
}

/** One header's value, repeated ones joined with ", "; '' when absent. */
export function flatHeader(value: string | string[] | undefined): string {
  return value === undefined ? '' : Array.isArray(value) ? value.join(', ') : value;
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = flatHeader(value);
  }
  return flat;
}
