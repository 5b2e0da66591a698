import type { GraphQLError } from 'graphql';
import type { LiveEvent } from './live-event.js';

/** What a watch yields: the wallet events, or, once, the refusal of a watch that found no place. */
export type WatchEvent = LiveEvent | { refused: GraphQLError };

/**
 * A watch that takes its place and starts its poll only when its stream is first read, so that
 * a subscription whose response never streams (answered 406, or dropped before it started)
 * holds nothing: Yoga reads the stream only when it answers with one. `start` returns the
 * stream, or the refusal to yield when the place was taken meanwhile.
 */
export class LazyWatch implements AsyncIterableIterator<WatchEvent> {
  private stream: AsyncIterator<LiveEvent> | undefined;
  private finished = false;

  constructor(private readonly start: () => AsyncIterator<LiveEvent> | GraphQLError) {}

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    if (this.stream === undefined) {
      const started = this.start();
      if (!('next' in started)) {
        this.finished = true;
        return Promise.resolve({ done: false, value: { refused: started } });
      }
      this.stream = started;
    }
    return this.stream.next();
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.finished = true;
    return this.stream?.return?.() ?? Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
