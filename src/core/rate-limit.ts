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
