import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

// Lines are written in batches of this many bytes (one write for about a hundred operation lines
// under load), and at least every flushMs when traffic is light. Each write is a task of libuv's
// thread pool: in 4 KB batches, writing cost about 1 µs of CPU per operation at 10,000 a second.
const batchBytes = 32 * 1024;
// When stdout falls behind, sonic-boom joins waiting batches into writes of up to this many bytes.
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
 * sonic-boom in its `contentMode: 'buffer'`, which writes Buffers (its README); its type
 * declarations give `write` the string form of the default mode only.
 */
type BufferSonicBoom = Omit<SonicBoom, 'write'> & { write(batch: Buffer): boolean };

// The most UTF-8 bytes a line of this many UTF-16 code units can take.
const utf8Bound = (length: number) => length * 3;

/**
 * Lines gathered into a batch before they reach sonic-boom, which writes it. Each line is copied
 * into the batch's bytes as it is logged, outside the JS heap: a line held as a string until its
 * batch is written lives across young-generation collections where traffic allocates much (a
 * 32 KB batch spans two of them on `wallets(first: 50)`), and every line was then copied into the
 * old generation, about 40 KB of each collection's 76 KB promoted. As bytes, a line dies where it
 * is made. A batch is handed over when the next line might not fit, and by a flush; sonic-boom
 * writes what it is handed at once, or after the write in flight. `flush(done)` calls back when
 * sonic-boom drains, and `flushSync`, which the process's exit runs, writes whatever is left.
 */
class LineBatches implements DestinationStream {
  #batch = Buffer.allocUnsafeSlow(batchBytes);
  #used = 0;
  #dropped = 0;
  readonly #out: BufferSonicBoom;

  constructor(out: BufferSonicBoom) {
    this.#out = out;
    // sonic-boom drops a write that would take what it holds past its maxLength, and says so.
    out.on('drop', (batch: Buffer) => {
      let lines = 0;
      for (let at = batch.indexOf(0x0a); at !== -1; at = batch.indexOf(0x0a, at + 1)) lines++;
      this.#dropped += lines;
    });
  }

  /** Lines dropped so far because stdout fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  write(line: string): void {
    if (this.#used + utf8Bound(line.length) > batchBytes) {
      this.#handOver();
      // A line longer than a batch could hold (a long stack) goes out as a batch of its own.
      if (utf8Bound(line.length) > batchBytes) {
        this.#out.write(Buffer.from(line));
        return;
      }
    }
    this.#used += this.#batch.write(line, this.#used);
  }

  #handOver(): void {
    if (this.#used === 0) return;
    this.#out.write(this.#batch.subarray(0, this.#used));
    this.#batch = Buffer.allocUnsafeSlow(batchBytes);
    this.#used = 0;
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
    // minLength 1: a batch handed over is written at once (batching is done here), and a flush
    // still waits for sonic-boom to drain (it calls back at once when minLength is 0).
    pino.destination({
      fd: 1,
      sync: false,
      contentMode: 'buffer',
      minLength: 1,
      maxWrite: maxWriteBytes,
      maxLength: maxWaitingBytes,
    }) as unknown as BufferSonicBoom,
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
