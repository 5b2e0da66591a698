import { pino, type Logger } from 'pino';

export interface MemoryLogger {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  raw(): string;
  clear(): void;
}

/** The JSON lines of a logger's output, parsed. */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/** A real pino logger writing JSON lines into memory. */
export function memoryLogger(level = 'info'): MemoryLogger {
  let text = '';
  const logger = pino({ level }, { write: (chunk: string) => void (text += chunk) });
  return {
    logger,
    raw: () => text,
    lines: () => jsonLines(text),
    clear: () => void (text = ''),
  };
}
