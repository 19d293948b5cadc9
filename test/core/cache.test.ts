import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cache, createMemoryCache, createRedisCache, getJson, setJson } from '../../src/core/cache.js';
import { RateLimited } from '../../src/core/errors.js';
import { enforceRateLimits, resetRateLimits } from '../../src/core/rate-limit.js';

const stores: [string, () => Cache][] = [['memory', () => createMemoryCache()]];
if (process.env.REDIS_URL)
  stores.push(['redis', () => createRedisCache(process.env.REDIS_URL as string, `test:${randomUUID()}:`)]);

describe.each(stores)('%s cache', (_name, make) => {
  const cache = make();
  afterAll(() => cache.close());

  it('stores, reads and deletes values', async () => {
    await setJson(cache, 'k', { a: 1 }, 60);
    expect(await getJson(cache, 'k')).toEqual({ a: 1 });
    await cache.del('k');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('counts increments within a window and reports the time left', async () => {
    expect(await cache.incr('c', 60)).toMatchObject({ count: 1 });
    const second = await cache.incr('c', 60);
    expect(second.count).toBe(2);
    expect(second.ttl).toBeGreaterThan(0);
    expect(second.ttl).toBeLessThanOrEqual(60);
  });

  it('rate-limits after the limit with a Retry-After, and resets', async () => {
    const rules = [{ key: 'rl:x', limit: 2, windowSeconds: 60 }];
    await enforceRateLimits(cache, rules);
    await enforceRateLimits(cache, rules);
    const error = await enforceRateLimits(cache, rules).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimited);
    expect(Number(error.headers['retry-after'])).toBeGreaterThan(0);
    await resetRateLimits(cache, ['rl:x']);
    await expect(enforceRateLimits(cache, rules)).resolves.toBeUndefined();
  });
});
