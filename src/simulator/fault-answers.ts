import { STATUS_CODES, type ServerResponse } from 'node:http';
import { CLUMIO_TYPE, failure, headersOf, send, type Answer } from './answer.js';
import type { Timers } from './timers.js';
import type { Fault } from './types.js';

const MALFORMED = '{"id":"8c6f0f5e-3b7a-4c1e-9d2a-5f1e7b9c0d3a","account_native_id":"4829163';
const SLOW_CHUNK_BYTES = 32;
const HUGE_HEAD = '{"current_count":0,"limit":25,"start":"","_embedded":{"items":[]},"_links":{},"padding":"';
const HUGE_TAIL = '"}';
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

function htmlPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

function statusFault(res: ServerResponse, status: number, message?: string, retryAfter?: number): void {
  const text = message ?? `Simulated fault: ${STATUS_CODES[status] ?? 'error'}.`;
  send(res, failure(status, text, retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) }));
}

function dribble(res: ServerResponse, answer: Answer, delayMs: number, timers: Timers): void {
  const body = Buffer.from(answer.body);
  res.writeHead(answer.status, headersOf(answer, body.length));
  res.flushHeaders();
  const next = (offset: number): void => {
    if (res.destroyed) return;
    const end = Math.min(offset + SLOW_CHUNK_BYTES, body.length);
    if (end === body.length) res.end(body.subarray(offset));
    else {
      res.write(body.subarray(offset, end));
      timers.after(delayMs, () => next(end));
    }
  };
  timers.after(delayMs, () => next(0));
}

/**
 * Valid JSON of exactly `bytes` bytes when that is long enough, sent chunked without a
 * Content-Length so a client's size limit has to work while streaming.
 */
function streamHuge(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': CLUMIO_TYPE });
  if (bytes <= HUGE_HEAD.length + HUGE_TAIL.length) {
    res.end(HUGE_HEAD.slice(0, bytes));
    return;
  }
  let remaining = bytes - HUGE_HEAD.length - HUGE_TAIL.length;
  res.write(HUGE_HEAD);
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const size = Math.min(remaining, HUGE_CHUNK.length);
      remaining -= size;
      if (!res.write(size === HUGE_CHUNK.length ? HUGE_CHUNK : HUGE_CHUNK.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(HUGE_TAIL);
  };
  pump();
}

/** Answers with `fault` instead of the normal answer, which `real` computes when the fault needs it. */
export function applyFault(fault: Fault, res: ServerResponse, real: () => Answer, timers: Timers): void {
  switch (fault.kind) {
    case 'status':
      return statusFault(res, fault.status, fault.message, fault.retryAfterSeconds);
    case 'malformed':
      res.writeHead(200, { 'content-type': CLUMIO_TYPE, 'content-length': MALFORMED.length });
      return void res.end(MALFORMED);
    case 'html': {
      const page = htmlPage(fault.status ?? 502);
      res.writeHead(fault.status ?? 502, { 'content-type': 'text/html', 'content-length': page.length });
      return void res.end(page);
    }
    case 'reset':
      return void res.socket?.resetAndDestroy();
    case 'stall':
      // Without ms the socket stays open until the client gives up or close() destroys it.
      if (fault.ms !== undefined) timers.after(fault.ms, () => send(res, real()));
      return;
    case 'slowBody':
      return dribble(res, real(), fault.chunkDelayMs, timers);
    case 'huge':
      return streamHuge(res, fault.bytes);
    case 'body': {
      const answer = real();
      return send(res, { ...answer, body: fault.body ?? answer.body }, fault.contentType);
    }
  }
}
