import type { IncomingMessage } from 'node:http';

const readerKey = Symbol('bodyReader');

/**
 * One request's body as it is read: its parts until the last has come, then none of them (the
 * body is handed on, and a request that waits on Clumio holds none of its bytes meanwhile).
 */
class BodyReader {
  // Most bodies come in one part: an array only for the rest.
  first: Buffer | undefined = undefined;
  rest: Buffer[] | undefined = undefined;
  size = 0;
  // Each callback is called at most once, and only one of them: nothing after the first counts.
  settled = false;

  constructor(
    readonly limit: number,
    readonly done: (body: Buffer | undefined) => void,
    readonly failed: (error: Error) => void,
  ) {}

  body(): Buffer {
    const { first, rest } = this;
    this.first = this.rest = undefined;
    if (rest !== undefined) return Buffer.concat([first!, ...rest], this.size);
    return first ?? Buffer.alloc(0);
  }
}

type Reading = IncomingMessage & { [readerKey]: BodyReader };

// The request's listeners, one function each for every request (the emitter calls them with the
// request as `this`): readBody makes a reader per request and no closure of its own.
function onData(this: Reading, chunk: Buffer): void {
  const reader = this[readerKey];
  if (reader.settled) return;
  reader.size += chunk.length;
  if (reader.size > reader.limit) {
    reader.settled = true;
    reader.first = reader.rest = undefined;
    this.destroy();
    reader.done(undefined);
    return;
  }
  if (reader.first === undefined) reader.first = chunk;
  else (reader.rest ??= []).push(chunk);
}

function onEnd(this: Reading): void {
  const reader = this[readerKey];
  if (reader.settled) return;
  reader.settled = true;
  reader.done(reader.body());
}

function onError(this: Reading, error: Error): void {
  const reader = this[readerKey];
  if (reader.settled) return;
  reader.settled = true;
  reader.first = reader.rest = undefined;
  reader.failed(error);
}

/**
 * Reads the request's body and hands it to `done`, or undefined once it passes `limit` bytes (the
 * connection is then dropped: the caller's Content-Length said less than it sent); a failure of
 * the request's stream goes to `failed`. Callbacks rather than a promise: the request's steps
 * after it run on as they are reached, with no promise or turn of the microtask queue between.
 * Called once per request: the reader is the request's own.
 */
export function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void, failed: (error: Error) => void): void {
  (req as Reading)[readerKey] = new BodyReader(limit, done, failed);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}
