import type { LiveEvent } from './live-event.js';

/** Where a subscriber's events come from: the shared pubsub's stream for its poll. */
export type EventSource = AsyncIterator<LiveEvent> & AsyncIterable<LiveEvent>;

/**
 * One subscriber's stream of a watched wallet: the first state, then only changes, then an
 * error event if the watch ends. Eager and ended at once by `return()`, unlike an async
 * generator (whose `return()` waits for the next event, which may never come): a client that
 * leaves must release its poll right away. A subscriber that reads slower than the wallet
 * changes (its connection is not taking what it is sent) gets the latest state, not every one
 * in between: what waits for it is at most one wallet and the error that ends the watch.
 */
export class Subscriber implements AsyncIterableIterator<LiveEvent> {
  private readonly queue: LiveEvent[] = [];
  private waiting: ((result: IteratorResult<LiveEvent>) => void) | null = null;
  // The wallet last offered, the one last handed to the reader, and the one waiting in the queue
  // (at most one: a later one takes its place), each as JSON.
  private last: string | undefined;
  private delivered: string | undefined;
  private queuedWallet: string | undefined;
  private finished = false;

  constructor(
    private readonly source: EventSource,
    /** Called once, when the stream ends for any reason. */
    private readonly onEnd: () => void,
    /** Called with each wallet heard, so the poll knows the latest state for later joiners. */
    private readonly onWallet: (json: string, event: LiveEvent) => void,
  ) {
    void this.pump();
  }

  /** Delivers an event unless it repeats the last wallet this subscriber was sent. */
  offer(event: LiveEvent, json = 'wallet' in event ? JSON.stringify(event.wallet) : undefined): void {
    if (this.finished || (json !== undefined && json === this.last)) return;
    if (json !== undefined) this.last = json;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      if (json !== undefined) this.delivered = json;
      resolve({ done: false, value: event });
    } else if (json !== undefined && this.queuedWallet !== undefined) {
      // The reader has not taken the wallet waiting for it: this one replaces it, or, back at
      // what the reader last got, leaves nothing to send.
      if (json === this.delivered) {
        this.queue.pop();
        this.queuedWallet = undefined;
      } else {
        this.queue[this.queue.length - 1] = event;
        this.queuedWallet = json;
      }
    } else {
      this.queue.push(event);
      if (json !== undefined) this.queuedWallet = json;
    }
    // An error is the last event: the stream ends once it has been read.
    if ('error' in event) this.end();
  }

  next(): Promise<IteratorResult<LiveEvent>> {
    const event = this.queue.shift();
    if (event !== undefined) {
      if ('wallet' in event) {
        this.delivered = this.queuedWallet;
        this.queuedWallet = undefined;
      }
      return Promise.resolve({ done: false, value: event });
    }
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.queue.length = 0;
    this.queuedWallet = undefined;
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async pump(): Promise<void> {
    try {
      for await (const event of this.source) {
        if (this.finished) break;
        const json = 'wallet' in event ? JSON.stringify(event.wallet) : undefined;
        if (json !== undefined) this.onWallet(json, event);
        this.offer(event, json);
      }
    } catch {
      // The source only fails if the pubsub does; end like a left client.
    }
    this.end();
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    void this.source.return?.();
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: true, value: undefined });
    }
    this.onEnd();
  }
}
