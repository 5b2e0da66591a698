import { describe, expect, it } from 'vitest';
import { BreakerOpenError } from '../src/clumio/breaker.js';
import { httpStatusError, upstreamError } from '../src/clumio/errors.js';
import { retryDelay } from '../src/clumio/retry.js';
import { Deadline } from '../src/request/deadline.js';

const read = { operation: 'getWallet', method: 'GET', cancellation: undefined } as const;
const create = { operation: 'createWallet', method: 'POST', cancellation: undefined } as const;
const options = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 };
const notSent = () => upstreamError('UPSTREAM_UNAVAILABLE', new Error('connect ECONNREFUSED'), 'NOT_SENT');

describe('retryDelay: whether and when a failed call goes again', () => {
  it('gives a backoff for each retry up to maxRetries, then none', () => {
    // Doubled per retry, with equal jitter: 5-10 ms, then 10-20 ms.
    const first = retryDelay(read, notSent(), 1, options)!;
    const second = retryDelay(read, notSent(), 2, options)!;
    expect(first >= 5 && first <= 10 && second >= 10 && second <= 20).toBe(true);
    expect(retryDelay(read, notSent(), 3, options)).toBeUndefined();
    expect(retryDelay(read, notSent(), 1, { ...options, maxRetries: 0 })).toBeUndefined();
  });

  it('never for what is not a ClumioError, what may not be repeated, or a breaker that refused', () => {
    expect(retryDelay(read, new Error('a bug'), 1, options)).toBeUndefined();
    expect(retryDelay(create, notSent(), 1, options)).toBeUndefined();
    expect(retryDelay(read, new BreakerOpenError(), 1, options)).toBeUndefined();
  });

  it('never once the caller left, nor when the wait would not fit the deadline or maxDelayMs', () => {
    const gone = new Deadline(10_000);
    gone.abort(new Error('left'));
    expect(retryDelay({ ...read, cancellation: gone }, notSent(), 1, options)).toBeUndefined();
    // Clumio's Retry-After of 1 s: longer than the wait allowed, then longer than the time left.
    const limited = httpStatusError(429, undefined, 1);
    expect(retryDelay(read, limited, 1, options)).toBeUndefined();
    const short = new Deadline(500);
    try {
      expect(retryDelay({ ...read, cancellation: short }, limited, 1, { ...options, maxDelayMs: 5_000 })).toBeUndefined();
      expect(retryDelay(read, limited, 1, { ...options, maxDelayMs: 5_000 })).toBe(1000);
    } finally {
      short.release();
    }
  });
});
