import type { Logger } from 'pino';
import type { ClumioObserver } from '../clumio/client.js';
import { scrub } from './logger.js';

/**
 * What listens to the Clumio client: the metrics' recorder, the log at debug level for each exchange
 * and retry (never at info: one line per operation is enough), a warning when the breaker
 * changes, when one caller's calls are held back (by a hash of its token), or when Clumio explains a 5xx (its message, which callers never see, blanked of tokens and
 * URLs), and traces when they are on.
 */
export function createClumioObserver(parts: {
  /** What records the calls in metrics (`metrics.clumio`); `{}`, which records nothing, when they are off. */
  metrics: ClumioObserver;
  logger: Logger;
  callStarted?: ClumioObserver['callStarted'];
}): ClumioObserver {
  const { metrics, logger } = parts;
  return {
    callFinished(event) {
      metrics.callFinished?.(event);
      if (event.upstreamMessage !== undefined) {
        logger.warn(
          { clumioOperation: event.operation, status: event.status ?? null, requestId: event.requestId ?? null, clumioMessage: scrub(event.upstreamMessage) },
          'clumio error message',
        );
      }
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          { clumioOperation: event.operation, status: event.status ?? null, code: event.code ?? 'ok', durationMs: Math.round(event.durationMs * 1000) / 1000 },
          'clumio call',
        );
      }
    },
    retrying(event) {
      metrics.retrying?.(event);
      if (logger.isLevelEnabled('debug')) {
        logger.debug({ clumioOperation: event.operation, attempt: event.attempt, code: event.code, delayMs: Math.round(event.delayMs) }, 'clumio retry');
      }
    },
    breakerChanged(event) {
      metrics.breakerChanged?.(event);
      logger.warn({ origin: event.origin, state: event.state }, 'clumio circuit breaker');
    },
    callerHeldBack(event) {
      metrics.callerHeldBack?.(event);
      logger.warn({ caller: event.caller }, 'clumio calls of one caller held back');
    },
    ...(parts.callStarted ? { callStarted: parts.callStarted } : {}),
  };
}
