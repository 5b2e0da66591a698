import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { afterMs, timedOut } from '../request/deadline.js';

/** What came back from one HTTP exchange with Clumio, before any meaning is given to it. */
export interface RawExchange {
  status: number;
  /** Lower-cased names; a repeated header is a list. */
  headers: Record<string, string | string[]>;
  /** The body as text when it was within the cap; undefined when it was dropped unread. */
  text: string | undefined;
  /** Why the body was dropped: it was over the cap (else: no body). */
  overCap: boolean;
}

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
  /** The operation's signal: the caller left, or its deadline passed. */
  signal: AbortSignal | undefined;
}

/**
 * One exchange through undici's dispatcher API (its controller-based handler interface): the body is collected into memory up to the cap
 * (no stream object per response), and the exchange is aborted when the operation's signal
 * aborts or its own time is up, on the shared coarse clock. Any content type is read, as
 * Clumio's SDKs parse any body; a body over the cap is dropped by aborting the exchange, which closes its connection rather than
 * leave unread bytes on it. A class, so that an exchange is one object rather than a dozen
 * closures: there are thousands a second.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private settled = false;
  private status = 0;
  private headers: Record<string, string | string[]> = {};
  private reading = false;
  private size = 0;
  private readonly chunks: Buffer[] = [];
  private readonly stopClock: () => void;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly options: ExchangeOptions,
    private readonly resolve: (exchange: RawExchange) => void,
    private readonly reject: (failure: ExchangeFailure) => void,
  ) {
    const { signal } = options;
    this.stopClock = afterMs(options.timeoutMs, () => this.cancel(timedOut()));
    if (signal) {
      this.onAbort = () => this.cancel(signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'));
      signal.addEventListener('abort', this.onAbort);
    }
  }

  private cancel(why: Error): void {
    if (this.settled || this.reason) return;
    this.reason = why;
    this.controller?.abort(why);
  }

  private finish(): void {
    this.settled = true;
    this.stopClock();
    if (this.onAbort) this.options.signal!.removeEventListener('abort', this.onAbort);
  }

  private answer(text: string | undefined, overCap: boolean): void {
    this.finish();
    this.resolve({ status: this.status, headers: this.headers, text, overCap });
  }

  // Answers without reading the rest of the body, then drops it.
  private answerAndDrop(overCap: boolean): void {
    this.answer(undefined, overCap);
    this.controller?.abort(new DOMException('The body was not read.', 'AbortError'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.settled) return;
    this.status = statusCode;
    this.headers = headers as Record<string, string | string[]>;
    if (statusCode === 204) {
      this.answer(undefined, false);
      return;
    }
    this.reading = true;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.reading || this.settled) return;
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      this.answerAndDrop(true);
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const { chunks } = this;
    this.answer(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'), false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(new ExchangeFailure(this.reason ?? error, this.reason !== undefined || this.options.signal?.aborted === true));
  }
}

export function exchange(options: ExchangeOptions): Promise<RawExchange> {
  return new Promise<RawExchange>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new ExchangeFailure(signal.reason, true));
      return;
    }
    const handler = new ExchangeHandler(options, resolve, reject);
    try {
      options.dispatcher.dispatch(options.request, handler);
    } catch (error) {
      handler.fail(error as Error);
    }
  });
}
