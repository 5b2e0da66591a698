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
// dropped and counted rather than held, so a stalled pipe cannot grow memory without bound.
const maxWaitingBytes = 16 * 1024 * 1024;

/**
 * When a line was logged, for its `time`: now, unless a queued line is being formatted (see
 * QueuedLines), which carries the time it was logged.
 */
interface LineClock {
  at: number | undefined;
}

/**
 * pino's `isoTime`, formatted once per millisecond: at thousands of lines a second most lines share
 * their millisecond, and formatting a Date cost about 0.7 µs a line.
 */
function cachedIsoTime(clock: LineClock): () => string {
  let at = Number.NaN;
  let field = '';
  return () => {
    const now = clock.at ?? Date.now();
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
 * is made. One batch buffer is filled and refilled; what is handed over is a copy of the bytes
 * used, so that what sonic-boom holds is exactly what it counts against its maxLength.
 *
 * A batch is handed over when the next line does not fit, and by a flush. sonic-boom writes once
 * it holds a batch's worth (its minLength), so a part batch handed over by the interval flush
 * waits there for sonic-boom's own flush, and `flushSync`, which the process's exit runs, writes
 * it; `flush(done)` calls back when sonic-boom drains.
 */
class LineBatches implements DestinationStream {
  readonly #batch = Buffer.allocUnsafeSlow(batchBytes);
  #used = 0;
  // Whether sonic-boom was handed bytes since its last flush (else the interval has nothing to write).
  #handed = false;
  #dropped = 0;
  // Set by close (the process is exiting): nothing more is batched, handed over or waited for.
  #closed = false;
  readonly #out: BufferSonicBoom;
  // Formats the queued lines (QueuedLines) into the batch, before a flush or the exit hands it over.
  readonly #beforeHandOver: () => void;

  constructor(out: BufferSonicBoom, beforeHandOver: () => void) {
    this.#out = out;
    this.#beforeHandOver = beforeHandOver;
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
    if (this.#closed) return;
    // The bound is exact enough for operation lines; a long line (a stack) is measured.
    if (utf8Bound(line.length) > batchBytes - this.#used) {
      const bytes = Buffer.byteLength(line);
      if (bytes > batchBytes - this.#used) this.#handOver();
      // A line longer than a batch goes out as a batch of its own.
      if (bytes > batchBytes) return this.#give(Buffer.from(line));
    }
    this.#used += this.#batch.write(line, this.#used);
  }

  #give(bytes: Buffer): void {
    this.#out.write(bytes);
    this.#handed = true;
  }

  #handOver(): void {
    if (this.#used === 0) return;
    this.#give(Buffer.from(this.#batch.subarray(0, this.#used)));
    this.#used = 0;
  }

  /** What pino's logger.flush calls (always with `done`), and the interval (without). */
  flush(done?: (error?: Error) => void): void {
    if (this.#closed) return done?.();
    this.#beforeHandOver();
    this.#handOver();
    // sonic-boom's flush writes even when it holds nothing: the interval calls it only after a hand-over.
    if (done === undefined && !this.#handed) return;
    this.#handed = false;
    this.#out.flush(done);
  }

  /** What pino calls after a fatal line, and the process's exit. */
  flushSync(): void {
    if (this.#closed) return;
    this.#beforeHandOver();
    this.#handOver();
    this.#out.flushSync();
  }

  /**
   * For the process's exit, which is to follow at once: hands over what is batched and ends
   * sonic-boom, resolving true once stdout has taken every byte (sonic-boom's 'finish'), or false
   * when stdout took none for `stallMs` (a log collector that stopped reading). Then what still
   * waits for stdout is dropped (sonic-boom's public destroy()), so that neither this nor
   * sonic-boom's own exit hook, which write synchronously and retry a full pipe forever, holds the
   * exit. A slow stdout that keeps taking bytes is waited for, however long it takes. Whatever is
   * logged after this is dropped.
   */
  close(stallMs: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#beforeHandOver();
    this.#handOver();
    this.#closed = true;
    const out = this.#out;
    return new Promise((resolve) => {
      const progressed = () => stalled.refresh();
      const finished = () => settle(true);
      const settle = (written: boolean) => {
        clearTimeout(stalled);
        out.off('write', progressed);
        out.off('finish', finished);
        resolve(written);
      };
      const stalled = setTimeout(() => {
        out.destroy();
        settle(false);
      }, stallMs);
      out.on('write', progressed);
      out.once('finish', finished);
      out.end();
    });
  }
}

/** Writes one info line: `fields` and the message, as `logger.info(fields, msg)` does. */
export type InfoLine = (fields: Record<string, unknown>, msg: string) => void;

// Info lines of the hot path queued at most, before they are formatted.
export const maxQueuedLines = 64;

/**
 * Info lines of the hot path (one per operation), queued and formatted by pino in batches rather
 * than one at a time, amid each request's other work: less CPU per operation under load, as
 * measured in docs/performance.md. A line joins its batch for stdout (LineBatches) at most
 * maxQueuedLines - 1 lines later.
 *
 * What a line says does not change: it is formatted by the same logger, with the time it was
 * queued (the logger's timestamp reads `clock`), and in the order lines were logged, as any other
 * line of the logger formats the queued ones first (pino's logMethod hook), and so does every
 * hand-over to stdout (the interval, a flush, the exit). The fields must not change once queued:
 * the operation log makes an object per line. At most maxQueuedLines wait.
 */
class QueuedLines {
  readonly #fields: Array<Record<string, unknown>> = [];
  readonly #messages: string[] = [];
  readonly #times: number[] = [];
  #formatting = false;

  constructor(
    private readonly logger: Logger,
    private readonly clock: LineClock,
  ) {}

  /** Queues an info line (its caller checks the level: one above info formats it to nothing). */
  readonly info: InfoLine = (fields, msg) => {
    this.#fields.push(fields);
    this.#messages.push(msg);
    this.#times.push(Date.now());
    if (this.#fields.length >= maxQueuedLines) this.format();
  };

  /**
   * Formats every queued line now, in order (nothing when called while it formats). Should writing
   * a line throw (a destination that fails), the lines written and that one leave the queue, the
   * rest wait for the next format, and the error goes to this call's caller.
   */
  format(): void {
    const fields = this.#fields;
    if (this.#formatting || fields.length === 0) return;
    this.#formatting = true;
    let taken = 0;
    try {
      while (taken < fields.length) {
        const i = taken++;
        this.clock.at = this.#times[i];
        this.logger.info(fields[i], this.#messages[i]);
      }
    } finally {
      this.clock.at = undefined;
      fields.splice(0, taken);
      this.#messages.splice(0, taken);
      this.#times.splice(0, taken);
      this.#formatting = false;
    }
  }
}

// The queue of each logger made by createLineLogger.
const queues = new WeakMap<Logger, QueuedLines>();

/**
 * How the hot path writes an info line through `logger`: queued (QueuedLines) when the logger is
 * one createLineLogger made (the process's), else at once (a test's logger, read as soon as a
 * request is answered).
 */
export function queuedInfo(logger: Logger): InfoLine {
  return queues.get(logger)?.info ?? ((fields, msg) => logger.info(fields, msg));
}

/**
 * A pino logger of JSON lines on `destination`, whose hot-path lines (queuedInfo) are queued and
 * formatted in batches; `destination` calls the returned `formatQueued` before it hands lines over.
 */
export function createLineLogger(level: string, destination: DestinationStream): { logger: Logger; formatQueued: () => void } {
  const clock: LineClock = { at: undefined };
  const logger: Logger = pino(
    {
      level,
      base: { service: 'clumio-wallet-gateway' },
      timestamp: cachedIsoTime(clock),
      hooks: {
        // Any other line comes after those queued before it.
        logMethod(args, method) {
          queue.format();
          method.apply(this, args);
        },
      },
    },
    destination,
  );
  // No line is logged before the logger is returned.
  const queue = new QueuedLines(logger, clock);
  queues.set(logger, queue);
  return { logger, formatQueued: () => queue.format() };
}

export interface ProcessLogger {
  logger: Logger;
  /** Lines dropped so far because stdout fell behind by more than 16 MB (see maxWaitingBytes). */
  droppedLines: () => number;
  /**
   * Writes what is still batched, for the process's exit, which is to follow at once: true once
   * stdout took every line, false when it took nothing for `stallMs` (the rest is then dropped, and
   * the exit does not wait for it).
   */
  close: (stallMs: number) => Promise<boolean>;
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
    pino.destination({
      // process.stdout.fd, not 1: reading it opens stdout as Node's stream, which makes a pipe's fd
      // non-blocking, so a write to a full pipe fails with EAGAIN (which sonic-boom retries) rather
      // than blocking a thread of libuv's pool, which the process's exit would wait for.
      dest: process.stdout.fd,
      sync: false,
      contentMode: 'buffer',
      minLength: batchBytes,
      maxWrite: maxWriteBytes,
      maxLength: maxWaitingBytes,
    }) as unknown as BufferSonicBoom,
    // `lines` is made below, before anything can flush: the interval and the exit come later.
    () => lines.formatQueued(),
  );
  // At exit, what is still queued or batched is handed over and written.
  process.once('exit', () => destination.flushSync());
  setInterval(() => destination.flush(), flushMs).unref();
  const lines = createLineLogger(level, destination);
  const { logger } = lines;
  return { logger, droppedLines: () => destination.dropped, close: (stallMs) => destination.close(stallMs) };
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
