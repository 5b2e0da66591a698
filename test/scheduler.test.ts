import { describe, expect, it } from 'vitest';
import { createScheduler } from '../src/clumio/scheduler.js';
import { Deadline } from '../src/request/deadline.js';

// The scheduler alone: the client's fast path takes a free slot with tryTake, and only a call
// that finds none waits in the queue. Both must keep the caps and the round-robin order.

/** Lets every tick and promise reaction queued so far run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A waiting call and what it was told: granted (its slot is then taken), or refused with an error. */
function queued(scheduler: ReturnType<typeof createScheduler>, key: string, order: string[], cancellation?: Deadline) {
  const entry: { granted: boolean; error?: unknown } = { granted: false };
  scheduler.wait(
    key,
    {
      granted() {
        order.push(key);
        entry.granted = true;
      },
      refused(error) {
        entry.error = error;
      },
    },
    cancellation,
  );
  return entry;
}

describe('the Clumio scheduler', () => {
  it('gives a slot at once while there is room, and none at the per-caller or the global cap', () => {
    const scheduler = createScheduler({ maxInFlight: 3, maxInFlightPerCaller: 2 });
    expect(scheduler.tryTake('a')).toBe(true);
    expect(scheduler.tryTake('a')).toBe(true);
    expect(scheduler.tryTake('a')).toBe(false);
    expect(scheduler.tryTake('b')).toBe(true);
    expect(scheduler.tryTake('c')).toBe(false);
    expect(scheduler.inFlight).toBe(3);
    scheduler.give('a');
    expect(scheduler.tryTake('c')).toBe(true);
  });

  it('ignores a give for a caller holding no slot, so the counts stay right', () => {
    const scheduler = createScheduler({ maxInFlight: 2, maxInFlightPerCaller: 1 });
    expect(scheduler.tryTake('a')).toBe(true);
    scheduler.give('b');
    expect(scheduler.inFlight).toBe(1);
    expect(scheduler.tryTake('a')).toBe(false);
    scheduler.give('a');
    scheduler.give('a');
    expect(scheduler.inFlight).toBe(0);
    expect(scheduler.tryTake('b')).toBe(true);
    expect(scheduler.tryTake('a')).toBe(true);
    expect(scheduler.tryTake('c')).toBe(false);
  });

  it('gives no slot to a call whose operation has ended, and refuses its wait with nothing sent', () => {
    const scheduler = createScheduler({ maxInFlight: 2, maxInFlightPerCaller: 2 });
    const deadline = new Deadline(60_000);
    deadline.abort(new DOMException('The caller disconnected.', 'AbortError'));
    expect(scheduler.tryTake('a', deadline)).toBe(false);
    const waiting = queued(scheduler, 'a', [], deadline);
    expect(waiting.error).toMatchObject({ code: 'CANCELLED', details: { outcome: 'NOT_SENT' } });
    expect(scheduler.inFlight).toBe(0);
    expect(scheduler.queued).toBe(0);
  });

  it('grants a slot on a later tick, never inside the give that freed it', async () => {
    const scheduler = createScheduler({ maxInFlight: 1, maxInFlightPerCaller: 1 });
    const order: string[] = [];
    scheduler.tryTake('a');
    const waiting = queued(scheduler, 'a', order);
    scheduler.give('a');
    // Taken for the waiter at once (nobody else gets it), told on the next tick.
    expect(waiting.granted).toBe(false);
    expect(scheduler.inFlight).toBe(1);
    expect(scheduler.tryTake('b')).toBe(false);
    await settled();
    expect(waiting.granted).toBe(true);
  });

  it('lets a caller with room go at once while another waits at its own cap, and serves the waiter when its slot frees', async () => {
    const scheduler = createScheduler({ maxInFlight: 4, maxInFlightPerCaller: 1 });
    const order: string[] = [];
    scheduler.tryTake('a');
    const waiting = queued(scheduler, 'a', order);
    await settled();
    expect(scheduler.queued).toBe(1);
    expect(scheduler.tryTake('b')).toBe(true);
    expect(order).toEqual([]);
    scheduler.give('a');
    await settled();
    expect(order).toEqual(['a']);
    expect(waiting.granted).toBe(true);
    expect(scheduler.queued).toBe(0);
  });

  it('serves waiting callers round-robin, and a waiter whose operation ends leaves the queue', async () => {
    const scheduler = createScheduler({ maxInFlight: 1, maxInFlightPerCaller: 1 });
    const order: string[] = [];
    scheduler.tryTake('a');
    const a = [queued(scheduler, 'a', order), queued(scheduler, 'a', order), queued(scheduler, 'a', order)];
    const deadline = new Deadline(60_000);
    const gone = queued(scheduler, 'c', order, deadline);
    const b = [queued(scheduler, 'b', order)];
    expect(scheduler.tryTake('b')).toBe(false);
    deadline.abort(new DOMException('The caller disconnected.', 'AbortError'));
    await settled();
    expect(gone.error).toMatchObject({ code: 'CANCELLED', details: { outcome: 'NOT_SENT' } });
    expect(scheduler.queued).toBe(4);

    // One slot in all: each give grants the next waiter, which then gives it back in turn.
    let holder = 'a';
    for (let i = 0; i < 4; i++) {
      scheduler.give(holder);
      await settled();
      expect(order).toHaveLength(i + 1);
      holder = order[i]!;
    }
    expect(order).toEqual(['a', 'b', 'a', 'a']);
    expect([...a, ...b].every((entry) => entry.granted)).toBe(true);
    expect(scheduler.queued).toBe(0);
  });

  it('serves hundreds of waiters of one caller first in first out, with some leaving on the way', async () => {
    const scheduler = createScheduler({ maxInFlight: 4, maxInFlightPerCaller: 2 });
    expect(scheduler.tryTake('a')).toBe(true);
    expect(scheduler.tryTake('a')).toBe(true);
    const granted: number[] = [];
    const ended = new Deadline(60_000);
    const waiters = Array.from({ length: 300 }, (_, i) => {
      const entry = { granted: false, error: undefined as unknown };
      // Every seventh belongs to an operation that ends while it waits.
      scheduler.wait('a', { granted: () => void granted.push(i), refused: (error) => void (entry.error = error) }, i % 7 === 3 ? ended : undefined);
      return entry;
    });
    // A second caller, with room of its own, passes them all.
    const b = queued(scheduler, 'b', []);
    expect(scheduler.queued).toBe(300);
    ended.abort(new DOMException('The caller disconnected.', 'AbortError'));
    const staying = waiters.map((_, i) => i).filter((i) => i % 7 !== 3);
    expect(scheduler.queued).toBe(staying.length);
    await settled();
    expect(b.granted).toBe(true);
    // Each give lets exactly the next one of 'a' in, in the order they came.
    while (granted.length < staying.length) {
      const before = granted.length;
      scheduler.give('a');
      await settled();
      expect(granted.length).toBe(before + 1);
    }
    expect(granted).toEqual(staying);
    expect(waiters.filter((w) => w.error !== undefined)).toHaveLength(300 - staying.length);
    expect(scheduler.queued).toBe(0);
    expect(scheduler.inFlight).toBe(3);
  });
});
