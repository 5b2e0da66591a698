import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Which replica polls a watched wallet. With replicas sharing Redis, one holds the lease and
 * the others hear its results through the shared pubsub; alone, a replica always holds it.
 */
export interface PollLease {
  /** Takes or renews the lease on `key` for `ttlMs`; false while another replica holds it. */
  hold(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

export const localLease: PollLease = {
  hold: () => Promise.resolve(true),
  release: async () => {},
};

// Take the lease when free, renew it when ours: one atomic step (Redis' documented lock pattern).
const holdScript = `
local owner = redis.call('get', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const releaseScript = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

export function createRedisLease(redis: Redis): PollLease {
  const replica = randomUUID();
  const leaseKey = (key: string) => `walletChanged:lease:${key}`;
  return {
    async hold(key, ttlMs) {
      try {
        return (await redis.eval(holdScript, 1, leaseKey(key), replica, String(ttlMs))) === 1;
      } catch {
        // Redis unreachable: nothing could be fanned out anyway; try again next interval.
        return false;
      }
    },
    async release(key) {
      await redis.eval(releaseScript, 1, leaseKey(key), replica).catch(() => undefined);
    },
  };
}
