import { describe, expect, it } from 'vitest';
import { upstreamError } from '../src/clumio/errors.js';
import { withRetries, type RetryEvent } from '../src/clumio/retry.js';

// withRetries alone, with attempts written as the Clumio client writes them: the first attempt is
// handed `failed` and returns it from its rejection handler; later ones are handed a rejection.

const read = { operation: 'getWallet', method: 'GET', cancellation: undefined } as const;
const create = { operation: 'createWallet', method: 'POST', cancellation: undefined } as const;
const options = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 50 };
const notSent = () => upstreamError('UPSTREAM_UNAVAILABLE', new Error('connect ECONNREFUSED'), 'NOT_SENT');

/** An attempt that fails as the answers say (an Error thrown at once when `sync`), then succeeds. */
function attempts(failures: Array<{ error: Error; sync?: boolean }>) {
  const calls: string[] = [];
  const attempt = (failed: (error: unknown) => Promise<string>): Promise<string> => {
    const n = calls.length + 1;
    const failure = failures[n - 1];
    calls.push(failure === undefined ? 'ok' : failure.sync ? 'threw' : 'rejected');
    if (failure === undefined) return Promise.resolve(`answer ${n}`);
    if (failure.sync) throw failure.error;
    return Promise.reject(failure.error).then(undefined, failed);
  };
  return { attempt, calls };
}

describe('withRetries', () => {
  it('gives a first success as it is, with no retry', async () => {
    const { attempt, calls } = attempts([]);
    const events: RetryEvent[] = [];
    await expect(withRetries(read, attempt, options, (e) => events.push(e))).resolves.toBe('answer 1');
    expect(calls).toEqual(['ok']);
    expect(events).toEqual([]);
  });

  it('retries a first attempt that fails through `failed`, and one that throws at once', async () => {
    for (const sync of [false, true]) {
      const { attempt, calls } = attempts([{ error: notSent(), sync }]);
      const events: RetryEvent[] = [];
      await expect(withRetries(read, attempt, options, (e) => events.push(e))).resolves.toBe('answer 2');
      expect(calls).toEqual([sync ? 'threw' : 'rejected', 'ok']);
      expect(events).toEqual([expect.objectContaining({ attempt: 2, code: 'UPSTREAM_UNAVAILABLE' })]);
    }
  });

  it('catches a later attempt that throws at once, and gives up after the last retry with its error as it is', async () => {
    const last = notSent();
    const { attempt, calls } = attempts([{ error: notSent() }, { error: notSent(), sync: true }, { error: last }]);
    const outcome = withRetries(read, attempt, options);
    await expect(outcome).rejects.toBe(last);
    expect(calls).toEqual(['rejected', 'threw', 'rejected']);
  });

  it('does not repeat what may not be repeated, and hands the error on unchanged', async () => {
    const error = upstreamError('UPSTREAM_UNAVAILABLE', new Error('socket hang up'), 'UNKNOWN');
    const { attempt, calls } = attempts([{ error }]);
    await expect(withRetries(create, attempt, options)).rejects.toBe(error);
    expect(calls).toEqual(['rejected']);
  });
});
