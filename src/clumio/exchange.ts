import type { IncomingHttpHeaders } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import type { AbortListener } from '../request/abandonment.js';
import { startClock, stopClock, timedOut, type Cancellation, type Expiring } from '../request/deadline.js';

/** What came back from one HTTP exchange with Clumio, before any meaning is given to it. */
export interface RawExchange {
  readonly status: number;
  /** Lower-cased names; a repeated header is a list. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** The body as text when it was within the cap; undefined when it was dropped unread. */
  readonly text: string | undefined;
  /** Why the body was dropped: it was over the cap (else: no body). */
  readonly overCap: boolean;
}

/** The headers of an exchange that has none. */
const noHeaders: Readonly<Record<string, string | string[]>> = Object.freeze({});

/** A transport failure, and whether the exchange had been aborted (the caller left, or its time ran out). */
export class ExchangeFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly aborted: boolean,
  ) {
    super('Clumio exchange failed', { cause });
  }
}

export interface ExchangeOptions {
  dispatcher: Dispatcher;
  request: Dispatcher.DispatchOptions;
  /** Bodies longer than this are dropped as they stream in, never buffered whole. */
  maxBytes: number;
  /** The whole exchange, body included, ends within this. */
  timeoutMs: number;
  /** The operation's end: the caller left, or its deadline passed. */
  cancellation: Cancellation | undefined;
}

/** What one exchange reports to, exactly once: Clumio's answer, or why there is none. */
export interface ExchangeSink {
  answered(exchange: RawExchange): void;
  exchangeFailed(failure: ExchangeFailure): void;
}

/**
 * An answer's text, its parts decoded in turn (a character split between two parts is held over
 * to the next): joining the parts' bytes first would allocate a buffer outside the heap, as large
 * as the answer, that lives until the next collection. A decoder of its own per answer, so that
 * nothing one answer left half-read (a string past V8's limit throws midway) reaches another.
 */
function textOf(chunks: readonly Buffer[]): string {
  if (chunks.length === 1) return chunks[0]!.toString('utf8');
  const utf8 = new StringDecoder('utf8');
  let text = '';
  for (const chunk of chunks) text += utf8.write(chunk);
  return text + utf8.end();
}

/**
 * One exchange through undici's dispatcher API (its controller-based handler interface): the body is collected into memory up to the cap
 * (no stream object per response), and the exchange is aborted when the operation's cancellation
 * aborts or its own time is up, on the shared coarse clock. Any content type is read, as
 * Clumio's SDKs parse any body; a body over the cap is dropped by aborting the exchange, which closes its connection rather than
 * leave unread bytes on it. A class, so that an exchange is one object rather than a dozen
 * closures: there are thousands a second.
 *
 * Once settled, the handler lets go of what it held (its sink, the response's headers and body,
 * undici's controller; only the abort reason stays): undici keeps a finished request, and with it its handler, until the connection
 * serves its next one, and whatever the handler still points at would be kept with it, long
 * enough to be promoted to the old generation and collected only by a full collection.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler, Expiring, AbortListener {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  /** What the exchange reports to; undefined once it is settled. */
  private sink: ExchangeSink | undefined;
  private cancellation: Cancellation | undefined;
  private readonly maxBytes: number;
  private status = 0;
  private headers: Readonly<Record<string, string | string[]>> = noHeaders;
  private reading = false;
  private size = 0;
  private chunks: Buffer[] = [];
  readonly expiresAt: number;
  clockSlot = -1;

  constructor(options: ExchangeOptions, sink: ExchangeSink) {
    this.sink = sink;
    this.cancellation = options.cancellation;
    this.maxBytes = options.maxBytes;
    this.expiresAt = performance.now() + options.timeoutMs;
    startClock(this);
    options.cancellation?.add(this);
  }

  /** Its own time is up. */
  expire(): void {
    this.cancel(timedOut());
  }

  /** The operation ended (its caller left or its time ran out). */
  onAbort(reason: unknown): void {
    this.cancel(reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError'));
  }

  private cancel(why: Error): void {
    if (this.sink === undefined || this.reason) return;
    this.reason = why;
    // Not started yet (waiting for a connection of the pool): the sink is told now, and the
    // request is aborted as soon as undici starts it.
    if (this.controller === undefined) this.fail(why);
    else this.controller.abort(why);
  }

  /** Ends the exchange's hold on everything; returns what it reports to, once. */
  private settle(): ExchangeSink | undefined {
    const { sink } = this;
    if (sink === undefined) return undefined;
    this.sink = undefined;
    this.controller = undefined;
    this.headers = noHeaders;
    this.chunks = [];
    stopClock(this);
    this.cancellation?.delete(this);
    this.cancellation = undefined;
    return sink;
  }

  private answer(text: string | undefined, overCap: boolean): void {
    const { status, headers } = this;
    this.settle()?.answered({ status, headers, text, overCap });
  }

  // Answers without reading the rest of the body, then drops it.
  private answerAndDrop(overCap: boolean): void {
    const { controller } = this;
    this.answer(undefined, overCap);
    controller?.abort(new DOMException('The body was not read.', 'AbortError'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.sink === undefined) return;
    this.status = statusCode;
    this.headers = headers as Record<string, string | string[]>;
    if (statusCode === 204) {
      this.answer(undefined, false);
      return;
    }
    this.reading = true;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.reading || this.sink === undefined) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.answerAndDrop(true);
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.sink === undefined) return;
    const { chunks } = this;
    this.answer(textOf(chunks), false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: Error): void {
    const aborted = this.reason !== undefined || this.cancellation?.aborted === true;
    this.settle()?.exchangeFailed(new ExchangeFailure(this.reason ?? error, aborted));
  }
}

/**
 * Sends one request; `sink` hears once how it ended, possibly before this returns (a
 * cancellation that had already aborted, a request undici refuses at once).
 */
export function exchange(options: ExchangeOptions, sink: ExchangeSink): void {
  const { cancellation } = options;
  if (cancellation?.aborted) {
    sink.exchangeFailed(new ExchangeFailure(cancellation.reason, true));
    return;
  }
  const handler = new ExchangeHandler(options, sink);
  try {
    options.dispatcher.dispatch(options.request, handler);
  } catch (error) {
    handler.fail(error as Error);
  }
}
