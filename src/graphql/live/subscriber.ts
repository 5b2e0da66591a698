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
  private waiting: ((result: IteratorResult<LiveEvent>) => void) | null = null;
  // What waits for the reader: at most the latest wallet (with its JSON), then the error that
  // ends the watch. `delivered` is the JSON of the wallet last handed to the reader; the one
  // waiting, or else that one, is the last offered.
  private pendingWallet: { event: LiveEvent; json: string } | undefined;
  private pendingError: LiveEvent | undefined;
  private delivered: string | undefined;
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
    if (this.finished || (json !== undefined && json === (this.pendingWallet?.json ?? this.delivered))) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      if (json !== undefined) this.delivered = json;
      resolve({ done: false, value: event });
    } else if (json === undefined) {
      this.pendingError = event;
    } else {
      // The reader has not taken the wallet waiting for it: this one replaces it, or, back at
      // what the reader last got, leaves nothing to send.
      this.pendingWallet = json === this.delivered ? undefined : { event, json };
    }
    // An error is the last event: the stream ends once it has been read.
    if ('error' in event) this.end();
  }

  next(): Promise<IteratorResult<LiveEvent>> {
    const wallet = this.pendingWallet;
    if (wallet !== undefined) {
      this.pendingWallet = undefined;
      this.delivered = wallet.json;
      return Promise.resolve({ done: false, value: wallet.event });
    }
    const error = this.pendingError;
    if (error !== undefined) {
      this.pendingError = undefined;
      return Promise.resolve({ done: false, value: error });
    }
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.pendingWallet = undefined;
    this.pendingError = undefined;
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
    // A reader waits only while nothing waits for it.
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: true, value: undefined });
    }
    this.onEnd();
  }
}
