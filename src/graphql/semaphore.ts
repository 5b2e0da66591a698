import { started } from '../promises.js';

/**
 * Bounds how many async tasks run at once; waiters are served in arrival order.
 *
 * Used per GraphQL operation (UPSTREAM_CONCURRENCY_PER_OPERATION), beside the Clumio client's
 * scheduler (src/clumio/scheduler.ts), on purpose: the two bound different things. The
 * scheduler shares Clumio among all requests, in all and per caller, and sees every call,
 * subscription polls included; it lives in the client, which knows nothing of operations. This
 * one keeps a single operation (a document of many aliases or entity keys) from taking all of
 * its caller's slots there, like the call budget beside it in wallet-service.ts, and dies with
 * the request. It needs no abort handling: a task whose operation was abandoned while it waited
 * is refused by the scheduler before anything is sent.
 */
export function createSemaphore(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  // Without an async frame per task: an operation of many entity keys has dozens waiting here.
  const released = <T>(task: Promise<T>): Promise<T> =>
    task.then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  return function run<T>(task: () => Promise<T>): Promise<T> {
    if (active < limit) {
      active++;
      return released(started(task));
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => released(started(task)));
  };
}
