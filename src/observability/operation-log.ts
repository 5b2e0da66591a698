import type { Logger } from 'pino';
import { loggableError, queuedInfo } from './logger.js';
import type { ObservedOperation, OperationListener, OperationOutcome } from './operation.js';

/** Where the error behind a masked "Unexpected error." is kept (src/graphql/unexpected-errors.ts). */
export interface MaskedOriginals {
  /** The original behind a masked error, once; undefined for any other error. */
  take(masked: object): unknown;
}

// Names come from callers: GraphQL names are plain, but `operationName` of a request that failed
// before parsing can be anything; a long one is cut rather than written whole.
const maxNameLength = 128;

/**
 * One info line per operation: `{"msg":"operation","requestId","operation","type","durationMs",
 * "outcome":"ok"|"error","errorCodes"?,"traceId"?}`. Never variables, the document, headers or a
 * token. An unexpected (masked) error is logged once more, at error level, with its stack.
 */
export function createOperationLog(logger: Logger, unexpected: MaskedOriginals): OperationListener {
  // Queued and formatted in batches by the process's logger (see QueuedLines).
  const info = queuedInfo(logger);
  return {
    finished(operation: ObservedOperation, outcome: OperationOutcome): void {
      for (const error of outcome.errors) {
        const original = unexpected.take(error);
        if (original !== undefined) {
          logger.error(
            { requestId: operation.requestId, operation: nameOf(operation), error: loggableError(original) },
            'unexpected error',
          );
        }
      }
      if (!logger.isLevelEnabled('info')) return;
      const line: Record<string, unknown> = {
        requestId: operation.requestId,
        operation: nameOf(operation),
        type: operation.type ?? 'unknown',
        durationMs: Math.round(outcome.durationMs * 1000) / 1000,
        outcome: outcome.codes.length === 0 ? 'ok' : 'error',
      };
      if (outcome.codes.length > 0) line.errorCodes = outcome.codes;
      if (operation.span) line.traceId = operation.span.spanContext().traceId;
      info(line, 'operation');
    },
  };
}

function nameOf(operation: ObservedOperation): string {
  const name = operation.name;
  if (name === undefined) return 'anonymous';
  return name.length > maxNameLength ? `${name.slice(0, maxNameLength)}…` : name;
}
