import type { Dispatcher } from 'undici';
import { afterMs } from './deadline.js';

/** What came back from one HTTP exchange with Clumio, before any meaning is given to it. */
export interface RawExchange {
  status: number;
  /** Lower-cased names; a repeated header is a list. */
  headers: Record<string, string | string[]>;
  /** The body as text when it was JSON and within the cap; undefined when it was dropped unread. */
  text: string | undefined;
  /** Why the body was dropped: it was over the cap (else: no body, or not JSON). */
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
  /** Whether a body with this content type is read (JSON); any other is dropped unread. */
  wantsBody(contentType: string | undefined): boolean;
}

function headerRecord(raw: Buffer[] | string[] | null | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (!raw) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = [previous, value];
  }
  return headers;
}

/**
 * One exchange through undici's dispatcher API: the body is collected into memory up to the cap
 * (no stream object per response), and the exchange is aborted when the operation's signal
 * aborts or its own time is up, on the shared coarse clock. A body that is not read (no JSON,
 * over the cap) is dropped by aborting the exchange, which closes its connection rather than
 * leave unread bytes on it.
 */
export function exchange(options: ExchangeOptions): Promise<RawExchange> {
  return new Promise<RawExchange>((resolve, reject) => {
    const { signal, maxBytes } = options;
    let abort: ((reason: Error) => void) | undefined;
    let reason: Error | undefined;
    let settled = false;
    let status = 0;
    let headers: Record<string, string | string[]> = {};
    let reading = false;
    let size = 0;
    const chunks: Buffer[] = [];

    const cancel = (why: Error) => {
      if (settled || reason) return;
      reason = why;
      abort?.(why);
    };
    const onAbort = () => cancel(signal!.reason instanceof Error ? signal!.reason : new DOMException('The operation was aborted.', 'AbortError'));
    const stopClock = afterMs(options.timeoutMs, () => cancel(new DOMException('The operation timed out.', 'TimeoutError')));
    const finish = () => {
      settled = true;
      stopClock();
      signal?.removeEventListener('abort', onAbort);
    };
    const answer = (text: string | undefined, overCap: boolean) => {
      finish();
      resolve({ status, headers, text, overCap });
    };
    // Answers without reading the rest of the body, then drops it.
    const answerAndDrop = (overCap: boolean) => {
      answer(undefined, overCap);
      abort?.(new DOMException('The body was not read.', 'AbortError'));
    };

    if (signal?.aborted) {
      finish();
      reject(new ExchangeFailure(signal.reason, true));
      return;
    }
    signal?.addEventListener('abort', onAbort);

    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortExchange: (reason?: Error) => void) {
        abort = abortExchange;
        if (reason) abortExchange(reason);
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null) {
        if (statusCode < 200 || settled) return true;
        status = statusCode;
        headers = headerRecord(rawHeaders);
        const contentType = headers['content-type'];
        if (status === 204) {
          answer(undefined, false);
          return true;
        }
        if (!options.wantsBody(Array.isArray(contentType) ? contentType[0] : contentType)) {
          answerAndDrop(false);
          return false;
        }
        reading = true;
        return true;
      },
      onData(chunk: Buffer) {
        if (!reading || settled) return true;
        size += chunk.length;
        if (size > maxBytes) {
          answerAndDrop(true);
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (settled) return;
        answer(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'), false);
      },
      onError(error: Error) {
        if (settled) return;
        finish();
        reject(new ExchangeFailure(reason ?? error, reason !== undefined || signal?.aborted === true));
      },
    } as unknown as Dispatcher.DispatchHandler;

    try {
      options.dispatcher.dispatch(options.request, handler);
    } catch (error) {
      if (!settled) {
        finish();
        reject(new ExchangeFailure(error, false));
      }
    }
  });
}
