// One clock: the memory cache measures TTLs with the app's ctx.now, so a test moves through an expiry by moving
// that clock (no spying on Date, no sleeping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/setup/test-app.js';
import { createMemoryCache } from './cache.js';
import type { App } from './module.js';

describe('memory cache on a controllable clock', () => {
  let t = Date.UTC(2026, 0, 1, 12);
  const cache = createMemoryCache();
  cache.followClock?.(() => new Date(t));

  it('keeps an entry until its TTL has passed on that clock, then forgets it', async () => {
    await cache.set('greeting', 'hello', 60);
    t += 59_000;
    expect(await cache.get('greeting')).toBe('hello');
    t += 2_000;
    expect(await cache.get('greeting')).toBeUndefined();
  });

  it('starts a counter window again once the window has passed on that clock', async () => {
    expect(await cache.incr('attempts', 60)).toEqual({ count: 1, ttl: 60 });
    t += 30_000;
    expect(await cache.incr('attempts', 60)).toEqual({ count: 2, ttl: 30 });
    t += 31_000;
    expect(await cache.incr('attempts', 60)).toEqual({ count: 1, ttl: 60 });
  });
});

describe('the app wires its cache to ctx.now', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it.skipIf(!!process.env.REDIS_URL)('expires a cached entry when a test moves ctx.now past its TTL', async () => {
    const start = app.ctx.now();
    await app.ctx.cache.set('clock-test', 'cached', 300);
    expect(await app.ctx.cache.get('clock-test')).toBe('cached');
    app.ctx.now = () => new Date(start.getTime() + 301_000);
    expect(await app.ctx.cache.get('clock-test')).toBeUndefined();
  });
});
