import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

// Lines are written in batches of this many bytes (one write for about a hundred operation lines
// under load), and at least every flushMs when traffic is light. Each write is a task of libuv's
// thread pool: in 4 KB batches, writing cost about 1 µs of CPU per operation at 10,000 a second.
const batchBytes = 32 * 1024;
// sonic-boom refuses a minLength (the batch) that is not below its maxWrite (16 KB by default).
const maxWriteBytes = 2 * batchBytes;
const flushMs = 250;
// What waits for stdout when it falls behind (a stalled log collector): past this, lines are
// dropped and counted rather than held, so a stalled pipe cannot grow the heap without bound.
const maxWaitingBytes = 16 * 1024 * 1024;

/**
 * pino's `isoTime`, formatted once per millisecond: at thousands of lines a second most lines share
 * their millisecond, and formatting a Date cost about 0.7 µs a line.
 */
function cachedIsoTime(): () => string {
  let at = Number.NaN;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Lines gathered into a batch before they reach sonic-boom, which writes it. sonic-boom appends
 * each write to the string it is holding and measures that string's UTF-8 length, which flattens
 * it: fed line by line, a batch of n lines is copied n times over (about 2 KB allocated per
 * 250-byte line, in 4 KB batches). Here a batch is joined once and handed over whole; sonic-boom
 * keeps its own minLength, so a part batch handed over by a flush waits there; `flush(done)`
 * calls back when sonic-boom drains (which can come before a last part batch is written), and
 * `flushSync`, which the process's exit runs, writes whatever is left.
 */
class LineBatches implements DestinationStream {
  #lines: string[] = [];
  #size = 0;
  #dropped = 0;
  readonly #out: SonicBoom;

  constructor(out: SonicBoom) {
    this.#out = out;
    // sonic-boom drops a write that would take what it holds past its maxLength, and says so.
    out.on('drop', (batch: string) => {
      let lines = 0;
      for (let at = batch.indexOf('\n'); at !== -1; at = batch.indexOf('\n', at + 1)) lines++;
      this.#dropped += lines;
    });
  }

  /** Lines dropped so far because stdout fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#size += line.length;
    if (this.#size >= batchBytes) this.#handOver();
  }

  #handOver(): void {
    if (this.#lines.length === 0) return;
    this.#out.write(this.#lines.join(''));
    this.#lines = [];
    this.#size = 0;
  }

  /** What pino's logger.flush calls. */
  flush(done?: (error?: Error) => void): void {
    this.#handOver();
    this.#out.flush(done);
  }

  /** What pino calls after a fatal line, and the process's exit. */
  flushSync(): void {
    this.#handOver();
    this.#out.flushSync();
  }
}

export interface ProcessLogger {
  logger: Logger;
  /** Lines dropped so far because stdout fell behind by more than 16 MB (see maxWaitingBytes). */
  droppedLines: () => number;
}

/**
 * The process's logger: JSON lines on stdout, written asynchronously in batches so a log line
 * never blocks a request on a slow pipe nor costs a write of its own (flushed on exit); what
 * waits for a slow stdout is bounded, and lines past the bound are counted
 * (`gateway_log_lines_dropped_total`). Nothing that could carry a secret is ever passed to it: no
 * headers, no variables, no upstream bodies.
 */
export function createLogger(level: string): ProcessLogger {
  const destination = new LineBatches(
    pino.destination({ fd: 1, sync: false, minLength: batchBytes, maxWrite: maxWriteBytes, maxLength: maxWaitingBytes }),
  );
  // At exit, what is still batched here is handed over and written.
  process.once('exit', () => destination.flushSync());
  setInterval(() => destination.flush(), flushMs).unref();
  const logger = pino({ level, base: { service: 'clumio-wallet-gateway' }, timestamp: cachedIsoTime() }, destination);
  return { logger, droppedLines: () => destination.dropped };
}

/** For apps built without a logger (tests that don't read logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const bearer = /\b(bearer)\s+[^\s"',;]+/gi;
const httpUrl = /\bhttps?:\/\/[^\s"'<>)]+/gi;

/** Text for the log with bearer tokens and http(s) URLs blanked out. */
export function scrub(text: string): string {
  return text.replace(bearer, '$1 [redacted]').replace(httpUrl, '[url]');
}

/** An error for the log: name, message and stack with bearer tokens and http(s) URLs blanked out. */
export function loggableError(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { type: error.name, message: scrub(error.message), ...(error.stack ? { stack: scrub(error.stack) } : {}) };
  }
  return { type: typeof error, message: scrub(String(error)) };
}
