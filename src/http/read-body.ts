import type { IncomingMessage } from 'node:http';

const readerKey = Symbol('bodyReader');

/**
 * One request's body as it is read: its parts until the last has come, then none of them (the
 * body is handed on, and a request that waits on Clumio holds none of its bytes meanwhile). Each
 * callback is called at most once, and only one of them: nothing after the first counts.
 */
class BodyReader {
  // Most bodies come in one part: an array only for the rest.
  #first: Buffer | undefined = undefined;
  #rest: Buffer[] | undefined = undefined;
  #size = 0;
  #settled = false;

  constructor(
    readonly limit: number,
    readonly done: (body: Buffer | undefined) => void,
    readonly failed: (error: Error) => void,
  ) {}

  take(req: IncomingMessage, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.limit) {
      this.#settle();
      req.destroy();
      this.done(undefined);
    } else if (this.#first === undefined) this.#first = chunk;
    else (this.#rest ??= []).push(chunk);
  }

  end(): void {
    if (this.#settled) return;
    const first = this.#first;
    const rest = this.#rest;
    this.#settle();
    this.done(rest !== undefined ? Buffer.concat([first!, ...rest], this.#size) : (first ?? Buffer.alloc(0)));
  }

  fail(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.failed(error);
  }

  #settle(): void {
    this.#settled = true;
    this.#first = this.#rest = undefined;
  }
}

type Reading = IncomingMessage & { [readerKey]: BodyReader };

// The request's listeners, one function each for every request (the emitter calls them with the
// request as `this`): readBody makes a reader per request and no closure of its own.
function onData(this: Reading, chunk: Buffer): void {
  this[readerKey].take(this, chunk);
}
function onEnd(this: Reading): void {
  this[readerKey].end();
}
function onError(this: Reading, error: Error): void {
  this[readerKey].fail(error);
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
