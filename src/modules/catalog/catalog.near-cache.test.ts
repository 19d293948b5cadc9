// The near cache (core/near-cache.ts) of catalog reads across two API processes sharing one Redis and one
// database: a repeated read makes no Redis command, a write in one process reaches the other's near cache by
// pub/sub, and a process whose subscriber was cut never serves an entry from before a write it missed.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeStaff } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import type { FaultProxy } from '../../../test/support/fault-proxy.js';
import { until } from '../../../test/support/processes.js';
import { startTwoProcesses, type TwoProcesses } from '../../../test/support/two-processes.js';
import { type Cache, createRedisCache } from '../../core/cache.js';
import type { App } from '../../core/module.js';
import { createNearCache } from '../../core/near-cache.js';
import { catalogNearCache } from './catalog.cache.js';

const redisUrl = process.env.REDIS_URL;

/** Counts the commands a client sends (the real client, against the real Redis). */
function countCommands(redis: Redis) {
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    sent.push(command.name);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof redis.sendCommand;
  return sent;
}

const names = async (app: App, url = '/api/v1/products/?page_size=50') => {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().results as Array<{ name: string }>).map((p) => p.name);
};

describe('catalog near cache, embedded', () => {
  const { app } = useTestApp();
  it.skipIf(redisUrl)('is not made on the in-process cache (it is one process already)', () => {
    expect(catalogNearCache(app.ctx)).toBeUndefined();
  });
});

describe.skipIf(!redisUrl)('catalog near cache across two processes (skipped: needs REDIS_URL)', () => {
  let apps: TwoProcesses;
  let proxy: FaultProxy;
  let a: App;
  let b: App;
  let staff: { authorization: string };

  beforeAll(async () => {
    // B reaches Redis through a proxy the tests cut (its subscriber with it); no rate-limit batch within a
    // test (10 s: it would be a Redis command of its own, on a timer)
    apps = await startTwoProcesses(redisUrl as string, { b: { RATE_LIMIT_SYNC_MS: '10000' } });
    ({ a, b, proxy } = apps);
    staff = await authHeader(a, await makeStaff(a));
    await until(() => catalogNearCache(b.ctx)?.usable === true, "B's subscriber", 5000);
  });
  afterAll(() => apps?.close());

  const rename = async (slug: string, name: string) => {
    const res = await a.inject({ method: 'PATCH', url: `/api/v1/products/${slug}/`, headers: staff, payload: { name } });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('answers a repeated list read with no Redis command and no SQL, 304 included', async () => {
    await makeProduct(a, { name: 'Near one' });
    await rename((await makeProduct(a)).slug, 'Near two'); // a write through the API: bumps the generation
    const url = '/api/v1/products/?page_size=7';
    const first = await b.inject({ method: 'GET', url });
    const sent = countCommands(b.ctx.cache.redis as Redis);
    const queries = b.ctx.database.stats.queries;
    const again = await b.inject({ method: 'GET', url });
    const notModified = await b.inject({ method: 'GET', url, headers: { 'if-none-match': first.headers.etag as string } });
    expect(sent).toEqual([]);
    expect(b.ctx.database.stats.queries - queries).toBe(0);
    expect(again.body).toBe(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(notModified.statusCode).toBe(304);
  });

  it("sees a write made in the other process once its message arrives, and B's own write at once", async () => {
    const product = await makeProduct(a, { name: 'Before rename' });
    await rename(product.slug, 'Renamed once');
    expect(await names(b)).toContain('Renamed once');
    expect(await names(b)).toContain('Renamed once'); // now from B's near cache
    await rename(product.slug, 'Renamed in A');
    await expect.poll(() => names(b), { timeout: 2000, interval: 20 }).toContain('Renamed in A');

    const detail = async (app: App) => (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect((await detail(b)).name).toBe('Renamed in A');
    const res = await b.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { name: 'Renamed in B' },
    });
    expect(res.statusCode).toBe(200);
    expect((await detail(b)).name).toBe('Renamed in B');
    expect(await names(b)).toContain('Renamed in B');
  });

  it('never serves an entry from before a write it missed while its subscriber was cut', async () => {
    const product = await makeProduct(a, { name: 'Before the cut' });
    await rename(product.slug, 'Still before the cut');
    await expect.poll(() => names(b), { timeout: 2000 }).toContain('Still before the cut');
    expect(await names(b)).toContain('Still before the cut'); // held in B's near cache

    await proxy.cut();
    await expect.poll(() => catalogNearCache(b.ctx)?.usable, { timeout: 5000 }).toBe(false);
    expect(catalogNearCache(b.ctx)?.stats.entries).toBe(0);
    await rename(product.slug, 'Renamed during the cut'); // B's subscriber misses this message
    // B sends nothing meanwhile (no failed write of its own that would bump the generations on recovery):
    // only dropping its local tokens on the disconnect keeps it from serving the old page once it is back
    await proxy.restore();
    await expect
      .poll(() => b.ctx.cache.redis?.status === 'ready' && catalogNearCache(b.ctx)?.usable, { timeout: 10_000 })
      .toBe(true);
    for (let i = 0; i < 3; i++) expect(await names(b)).toContain('Renamed during the cut');
    const metrics = (await b.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/cache_reads_total\{result="near"\} [1-9]/);
  });
});

describe.skipIf(!redisUrl)('near cache byte cap (skipped: needs REDIS_URL)', () => {
  let cache: Cache;
  beforeAll(() => {
    cache = createRedisCache(redisUrl as string, `test:${randomBytes(6).toString('hex')}:`);
  });
  afterAll(async () => cache?.close());

  it('keeps at most maxBytes of entries, dropping the least recently used', async () => {
    const near = createNearCache(cache, { channel: 'bumps', maxBytes: 8 * 1024, ttlMs: 10_000 });
    await expect.poll(() => near.usable, { timeout: 5000 }).toBe(true);
    const entry = () => ({ etag: 'W/"x"', body: Buffer.alloc(1000, 'a') });
    for (let i = 0; i < 20; i++) near.set(`k${i}`, entry());
    expect(near.stats.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(near.stats.entries).toBeGreaterThan(3);
    expect(near.get('k0')).toBeUndefined();
    expect(near.get('k19')?.body.length).toBe(1000);
  });
});
