import type { ClumioRequest } from './request.js';
import { BreakerOpenError } from './breaker.js';
import { abortedError, ClumioError } from './errors.js';
import { remainingMs, type Cancellation } from '../request/deadline.js';

export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retries off. */
  maxRetries: number;
  /** First backoff; doubled per retry, with jitter. */
  baseDelayMs: number;
  /** Longest wait before a retry: a longer Retry-After is passed on to the caller instead. */
  maxDelayMs: number;
}

export const defaultRetryOptions: RetryOptions = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 5_000 };

// Statuses that say Clumio did not act on the request and may answer a second time.
const retryableStatuses = new Set([429, 502, 503, 504]);

/**
 * Whether a failed attempt may be sent again:
 * - createWallet never: a second create could make a second wallet, and a duplicate is a 409.
 * - refreshWallet and deleteWallet only when nothing was sent (connection refused, DNS, connect
 *   timeout): a refresh re-verifies and a delete removes, so repeating either after Clumio may
 *   have acted changes what the caller sees; they get `outcome: UNKNOWN` instead.
 * - reads (GET) also on a broken connection and on 429, 502, 503 and 504. Not on a timeout: a
 *   Clumio too slow to answer is not helped by being asked twice.
 */
export function isRetryable(request: Pick<ClumioRequest, 'operation' | 'method'>, error: ClumioError): boolean {
  if (error instanceof BreakerOpenError || request.operation === 'createWallet') return false;
  if (error.details.outcome === 'NOT_SENT') return true;
  if (request.method !== 'GET') return false;
  if (error.code === 'UPSTREAM_UNAVAILABLE') return true;
  return error.details.status !== undefined && retryableStatuses.has(error.details.status);
}

/** Exponential backoff with equal jitter, or Clumio's Retry-After when that is longer. */
export function retryDelayMs(retry: number, error: ClumioError, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  const backoff = ceiling / 2 + (random() * ceiling) / 2;
  const retryAfterMs = (error.details.retryAfterSeconds ?? 0) * 1000;
  return Math.round(Math.max(backoff, retryAfterMs));
}

/** Waits `ms`; rejects with CANCELLED or UPSTREAM_TIMEOUT (nothing sent) if `cancellation` aborts first. */
export function sleep(ms: number, cancellation: Cancellation | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const listener = {
      onAbort(reason: unknown) {
        clearTimeout(timer);
        reject(abortedError(reason, 'NOT_SENT'));
      },
    };
    const timer = setTimeout(() => {
      cancellation?.delete(listener);
      resolve();
    }, ms);
    cancellation?.add(listener);
  });
}

/**
 * Whether a call whose last attempt failed with `error` is tried again, as retry number `retry`
 * (1 for the second attempt), and after how long: undefined when it is not (not a ClumioError,
 * retries used up, the caller gone, not safe to repeat), and when the wait would not fit: longer
 * than `maxDelayMs` or past the operation's deadline. Then the caller gets `error` as it is (a
 * 429 keeps its retryAfterSeconds).
 */
export function retryDelay(
  request: Pick<ClumioRequest, 'operation' | 'method' | 'cancellation'>,
  error: unknown,
  retry: number,
  options: RetryOptions,
): number | undefined {
  if (!(error instanceof ClumioError) || retry > options.maxRetries || request.cancellation?.aborted || !isRetryable(request, error)) {
    return undefined;
  }
  const delayMs = retryDelayMs(retry, error, options);
  if (delayMs > options.maxDelayMs || delayMs >= remainingMs(request.cancellation)) return undefined;
  return delayMs;
}
