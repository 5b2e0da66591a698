import { parseFault } from './fault-parse.js';
import type { Fault } from './types.js';

interface Queued {
  fault: Fault;
  remaining: number;
}

/** Injected faults in order; each matching request consumes one use of the first that fits. */
export class FaultQueue {
  private queue: Queued[] = [];

  inject(input: Fault): void {
    const fault = parseFault(input);
    this.queue.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  take(method: string, path: string): Fault | undefined {
    if (this.queue.length === 0) return undefined;
    const index = this.queue.findIndex(({ fault: { match } }) =>
      !match ||
      ((match.method === undefined || match.method.toUpperCase() === method) &&
        (match.pathPrefix === undefined || path.startsWith(match.pathPrefix))));
    const entry = this.queue[index];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}
