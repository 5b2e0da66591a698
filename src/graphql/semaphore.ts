/**
 * Bounds how many tasks run at once; waiters are served in arrival order.
 *
 * Used per GraphQL operation (UPSTREAM_CONCURRENCY_PER_OPERATION), beside the Clumio client's
 * scheduler (src/clumio/scheduler.ts), on purpose: the two bound different things. The
 * scheduler shares Clumio among all requests, in all and per caller, and sees every call,
 * subscription polls included; it lives in the client, which knows nothing of operations. This
 * one keeps a single operation (a document of many aliases or entity keys) from taking all of
 * its caller's slots there, like the call budget beside it in wallet-service.ts, and dies with
 * the request. It needs no abort handling: a task whose operation was abandoned while it waited
 * is refused by the scheduler before anything is sent.
 *
 * Slots rather than a wrapper around each task: the task's holder gives its slot back, so a
 * task that finds a free slot costs no promise or closure here.
 */
export class Semaphore {
  private active = 0;
  private waiting: Array<() => void> | undefined;

  constructor(private readonly limit: number) {}

  /** Takes a slot if one is free; else false, and `wait` for one. */
  tryTake(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  /** Resolves once a slot is handed over (after those already waiting). */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.waiting ??= []).push(resolve));
  }

  /** Gives a slot back: to the first waiter, else to the free ones. Exactly once per slot. */
  give(): void {
    const next = this.waiting?.shift();
    if (next) next();
    else this.active--;
  }
}
