// The in-process cache is capped by bytes, not entries: pages of 100 KB and counters of a few bytes share it.
import { describe, expect, it } from 'vitest';
import { createMemoryCache } from './cache.js';

describe('memory cache byte cap', () => {
  it('drops least recently used entries once their bytes pass the cap, whatever their count', async () => {
    const cache = createMemoryCache({ maxBytes: 1024 * 1024 });
    const page = 'x'.repeat(100 * 1024); // ~200 KB as V8 may hold it
    for (let i = 0; i < 20; i++) await cache.set(`page:${i}`, page, 60);
    const kept = [];
    for (let i = 0; i < 20; i++) if ((await cache.get(`page:${i}`)) !== undefined) kept.push(i);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length * 2 * page.length).toBeLessThanOrEqual(1024 * 1024);
    expect(kept).toContain(19); // the newest stays
    expect(kept).not.toContain(0); // the oldest went first
  });

  it('keeps thousands of small entries that fit (a cap in entries would have dropped them)', async () => {
    const cache = createMemoryCache({ maxBytes: 4 * 1024 * 1024 });
    for (let i = 0; i < 20_000; i++) await cache.set(`count:${i}`, String(i), 60);
    expect(await cache.get('count:0')).toBe('0');
    expect(await cache.get('count:19999')).toBe('19999');
  });

  it('never keeps an entry larger than the whole cap', async () => {
    const cache = createMemoryCache({ maxBytes: 1024 * 1024 });
    await cache.set('huge', 'y'.repeat(1024 * 1024), 60);
    expect(await cache.get('huge')).toBeUndefined();
  });
});
