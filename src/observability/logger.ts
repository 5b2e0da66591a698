import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

// Lines are written in batches of this many bytes (one write for dozens of operation lines under
// load), and at least every flushMs when traffic is light.
const batchBytes = 4096;
const flushMs = 250;

/**
 * The process's logger: JSON lines on stdout, written asynchronously in batches so a log line
 * never blocks a request on a slow pipe nor costs a write of its own (flush() on exit). Nothing
 * that could carry a secret is ever passed to it: no headers, no variables, no upstream bodies.
 */
export function createLogger(level: string): Logger {
  const destination = pino.destination({ fd: 1, sync: false, minLength: batchBytes });
  setInterval(() => destination.flush(), flushMs).unref();
  return pino({ level, base: { service: 'clumio-wallet-gateway' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
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
