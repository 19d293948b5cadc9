// Fixed-window rate limiting through the cache interface, so limits hold across processes when Redis is used.
import type { Cache } from './cache.js';
import { RateLimited } from './errors.js';

export interface RateRule {
  /** Cache key, e.g. `rl:login:ip:1.2.3.4`. */
  key: string;
  limit: number;
  windowSeconds: number;
}

/** Counts one hit against every rule and throws RateLimited (429 with Retry-After) if any is exceeded. */
export async function enforceRateLimits(cache: Cache, rules: RateRule[]): Promise<void> {
  let retryAfter = 0;
  for (const rule of rules) {
    const { count, ttl } = await cache.incr(rule.key, rule.windowSeconds);
    if (count > rule.limit) retryAfter = Math.max(retryAfter, ttl, 1);
  }
  if (retryAfter > 0) throw new RateLimited(retryAfter);
}

/** Forgets the counters of these keys (e.g. after a successful login). */
export async function resetRateLimits(cache: Cache, keys: string[]): Promise<void> {
  await cache.del(...keys);
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A store for @fastify/rate-limit that counts through `Cache.incr`: in Redis when it is up (limits hold
 * across processes), in process memory while the cache's breaker is open. The plugin's own Redis store
 * fails every request when Redis is down (the 500s this replaces).
 */
export function cacheRateLimitStore(cache: Cache, nameSpace: string) {
  return class CacheRateLimitStore {
    incr(key: string, callback: StoreCallback, timeWindowMs: number) {
      cache.incr(`${nameSpace}${key}`, Math.max(1, Math.ceil(timeWindowMs / 1000))).then(
        ({ count, ttl }) => callback(null, { current: count, ttl: ttl * 1000 }),
        (error: Error) => callback(error),
      );
    }
    child() {
      return new CacheRateLimitStore();
    }
  };
}
