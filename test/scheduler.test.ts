import { describe, expect, it } from 'vitest';
import { createScheduler, type Release } from '../src/clumio/scheduler.js';
import { Deadline } from '../src/request/deadline.js';

// The scheduler alone: the client's fast path takes a free slot with tryAcquire, and only a call
// that finds none waits in acquire's queue. Both must keep the caps and the round-robin order.

/** Lets every promise reaction queued so far run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A queued acquire and what it got: its release once granted, its error once refused. */
function queued(scheduler: ReturnType<typeof createScheduler>, key: string, order: string[], cancellation?: Deadline) {
  const entry: { release?: Release; error?: unknown } = {};
  scheduler.acquire(key, cancellation).then(
    (release) => {
      order.push(key);
      entry.release = release;
    },
    (error: unknown) => {
      entry.error = error;
    },
  );
  return entry;
}

describe('the Clumio scheduler', () => {
  it('gives a slot at once while there is room, and none at the per-caller or the global cap', () => {
    const scheduler = createScheduler({ maxInFlight: 3, maxInFlightPerCaller: 2 });
    const a1 = scheduler.tryAcquire('a');
    const a2 = scheduler.tryAcquire('a');
    expect(a1).toBeTypeOf('function');
    expect(a2).toBeTypeOf('function');
    expect(scheduler.tryAcquire('a')).toBeUndefined();
    const b1 = scheduler.tryAcquire('b');
    expect(b1).toBeTypeOf('function');
    expect(scheduler.tryAcquire('c')).toBeUndefined();
    expect(scheduler.inFlight).toBe(3);
    a1!();
    expect(scheduler.tryAcquire('c')).toBeTypeOf('function');
  });

  it('counts a release once, however often it is called', () => {
    const scheduler = createScheduler({ maxInFlight: 2, maxInFlightPerCaller: 2 });
    const first = scheduler.tryAcquire('a')!;
    scheduler.tryAcquire('a');
    first();
    first();
    expect(scheduler.inFlight).toBe(1);
    expect(scheduler.tryAcquire('a')).toBeTypeOf('function');
    expect(scheduler.tryAcquire('a')).toBeUndefined();
  });

  it('gives no slot to a call whose operation has ended, and acquire refuses it with nothing sent', async () => {
    const scheduler = createScheduler({ maxInFlight: 2, maxInFlightPerCaller: 2 });
    const deadline = new Deadline(60_000);
    deadline.abort(new DOMException('The caller disconnected.', 'AbortError'));
    expect(scheduler.tryAcquire('a', deadline)).toBeUndefined();
    await expect(scheduler.acquire('a', deadline)).rejects.toMatchObject({ code: 'CANCELLED', details: { outcome: 'NOT_SENT' } });
    expect(scheduler.inFlight).toBe(0);
    expect(scheduler.queued).toBe(0);
  });

  it('lets a caller with room go at once while another waits at its own cap, and serves the waiter when its slot frees', async () => {
    const scheduler = createScheduler({ maxInFlight: 4, maxInFlightPerCaller: 1 });
    const order: string[] = [];
    const a = scheduler.tryAcquire('a')!;
    const waiting = queued(scheduler, 'a', order);
    await settled();
    expect(scheduler.queued).toBe(1);
    const b = scheduler.tryAcquire('b');
    expect(b).toBeTypeOf('function');
    expect(order).toEqual([]);
    a();
    await settled();
    expect(order).toEqual(['a']);
    expect(waiting.release).toBeTypeOf('function');
    expect(scheduler.queued).toBe(0);
  });

  it('serves waiting callers round-robin, and a waiter whose operation ends leaves the queue', async () => {
    const scheduler = createScheduler({ maxInFlight: 1, maxInFlightPerCaller: 1 });
    const order: string[] = [];
    const first = scheduler.tryAcquire('a')!;
    const a = [queued(scheduler, 'a', order), queued(scheduler, 'a', order), queued(scheduler, 'a', order)];
    const deadline = new Deadline(60_000);
    const gone = queued(scheduler, 'c', order, deadline);
    const b = [queued(scheduler, 'b', order)];
    expect(scheduler.tryAcquire('b')).toBeUndefined();
    deadline.abort(new DOMException('The caller disconnected.', 'AbortError'));
    await settled();
    expect(gone.error).toMatchObject({ code: 'CANCELLED', details: { outcome: 'NOT_SENT' } });
    expect(scheduler.queued).toBe(4);

    // One slot in all: each release grants the next waiter, whose release then frees it again.
    const served = new Set<Release>();
    let release = first;
    for (let i = 0; i < 4; i++) {
      release();
      await settled();
      const next = [...a, ...b].map((entry) => entry.release).find((r) => r !== undefined && !served.has(r));
      expect(next).toBeTypeOf('function');
      served.add(next!);
      release = next!;
    }
    expect(order).toEqual(['a', 'b', 'a', 'a']);
    expect(scheduler.queued).toBe(0);
  });
});
