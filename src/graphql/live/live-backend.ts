import { createRequire } from 'node:module';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { LiveEvent } from './live-event.js';
import { createRedisLease, localLease, type PollLease } from './poll-lease.js';

export type LivePubSub = PubSub<{ walletChanged: [key: string, event: LiveEvent] }>;

/** Where wallet polls publish and subscribers listen, and who polls. */
export interface LiveBackend {
  pubsub: LivePubSub;
  lease: PollLease;
  close(): Promise<void>;
}

/** In-process fan-out: every subscriber of this replica hears this replica's polls. */
export function createLocalBackend(): LiveBackend {
  return { pubsub: createPubSub(), lease: localLease, close: async () => {} };
}

/**
 * Fan-out across replicas through Redis (Yoga's Redis event target), with one replica
 * polling each watched wallet under a Redis lease.
 */
export function createRedisBackend(url: string): LiveBackend {
  // Loaded only when REDIS_URL is set: ioredis alone holds some 20 MB of memory.
  const require = createRequire(import.meta.url);
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const { createRedisEventTarget } = require('@graphql-yoga/redis-event-target') as typeof import('@graphql-yoga/redis-event-target');
  // ioredis reconnects by itself; its errors are connection noise, and the polls retry.
  const publishClient = new Redis(url, { maxRetriesPerRequest: 1 }).on('error', () => undefined);
  // Subscriptions wait in the offline queue rather than fail, and are renewed on reconnect. No
  // ready check: its INFO, sent after a SUBSCRIBE that went out first, fails in subscriber mode
  // and the subscription is silently lost (ioredis; reproduced here 10 times out of 10).
  const subscribeClient = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false }).on('error', () => undefined);
  // The event target drops the promises of its SUBSCRIBE and UNSUBSCRIBE; one still queued when
  // the replica closes rejects ("Connection is closed"), which must not become an unhandled
  // rejection. Anything else waits in the offline queue and is renewed on reconnect.
  const quietSubscriber = {
    on: subscribeClient.on.bind(subscribeClient),
    subscribe: (...channels: string[]) => subscribeClient.subscribe(...channels).catch(() => undefined),
    unsubscribe: (...channels: string[]) => subscribeClient.unsubscribe(...channels).catch(() => undefined),
  } as unknown as Redis;
  const target = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient: quietSubscriber });
  const pubsub: LivePubSub = createPubSub({
    eventTarget: {
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
      // Published here rather than by the event target, which drops the promise: a failed
      // publish must not become an unhandled rejection. The next poll publishes again.
      dispatchEvent(event: CustomEvent) {
        publishClient.publish(event.type, JSON.stringify(event.detail ?? null)).catch(() => undefined);
        return true;
      },
    },
  });
  return {
    pubsub,
    lease: createRedisLease(publishClient),
    close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
      return Promise.resolve();
    },
  };
}
