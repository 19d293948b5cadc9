// Redis outage inside one API process: its cache goes through a fault proxy that the test cuts. Requests
// keep working (cache falls through to PostgreSQL, rate limits count in process), and once Redis is back a
// product edit made during the outage is visible: lost invalidations are replayed before entries are trusted.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createRedisCache } from '../../src/core/cache.js';
import type { App } from '../../src/core/module.js';
import { makeProduct } from '../factories/catalog.js';
import { addToCart, checkout } from '../factories/orders.js';
import { authHeader, DEFAULT_PASSWORD, makeStaff, makeUser } from '../factories/users.js';
import { createTestApp } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from '../support/fault-proxy.js';
import { until } from '../support/processes.js';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('Redis outage (skipped: needs REDIS_URL; the embedded cache is in-process)', () => {
  let proxy: FaultProxy;
  let cache: Cache;
  let app: App;

  beforeAll(async () => {
    proxy = await startFaultProxy(targetOf(redisUrl as string, 6379));
    cache = createRedisCache(proxy.url(redisUrl as string), `test:${randomBytes(6).toString('hex')}:`, {
      commandTimeoutMs: 300,
      breakerOpenMs: 200,
    });
    app = await createTestApp({ cache, env: { LOGIN_RATE_LIMIT: '3', API_RATE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    await proxy?.restore();
    await app?.close();
    await proxy?.close();
  });

  it('serves login, product list, cart and checkout without Redis, and shows edits made meanwhile after it returns', async () => {
    const user = await makeUser(app);
    const staff = await makeStaff(app);
    const product = await makeProduct(app, { name: 'Before outage', variants: [{ stockQuantity: 5 }] });
    const list = async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/products/' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().results.map((p: { name: string }) => p.name) as string[];
    };
    expect(await list()).toContain('Before outage');
    expect(await list()).toContain('Before outage'); // now served from Redis

    await proxy.cut();
    const statuses: number[] = [];
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      payload: { email: user.email, password: DEFAULT_PASSWORD },
    });
    statuses.push(login.statusCode);
    const headers = { authorization: `Bearer ${login.json().access}` };
    expect(await list()).toContain('Before outage');
    await addToCart(app, headers, product.variants[0]?.id as string, 2);
    const order = await checkout(app, headers);
    statuses.push(order.statusCode);
    expect(order.statusCode, order.body).toBe(201);
    const edit = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: await authHeader(app, staff),
      payload: { name: 'Edited during outage' },
    });
    statuses.push(edit.statusCode);
    expect(edit.statusCode, edit.body).toBe(200);
    expect(await list()).toContain('Edited during outage');
    expect(app.ctx.cache.breakerState).not.toBe('closed');
    expect(statuses.every((s) => s < 500)).toBe(true);

    await proxy.restore();
    const restoredAt = Date.now();
    await until(async () => {
      await list();
      return app.ctx.cache.breakerState === 'closed';
    }, 'the breaker to close');
    console.info(`[measure] Redis cache in use again ${Date.now() - restoredAt} ms after Redis returned`);
    // served from the cache again (Redis, or the near cache once its subscriber is back), and never the entry
    // cached before the edit
    for (let i = 0; i < 3; i++) expect(await list()).toContain('Edited during outage');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/cache_reads_total\{result="(hit|near)"\} [1-9]/);
    expect(metrics).toMatch(/cache_reads_total\{result="bypass"\} [1-9]/);
    expect(metrics).toContain('cache_breaker_state 0');
  });

  it('keeps throttling logins per process while Redis is down', async () => {
    await proxy.cut();
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login/',
        payload: { email: 'nobody@example.com', password: 'wrong-password' },
      });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await attempt()).statusCode);
    await proxy.restore();
    expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
    expect(codes.slice(3)).toEqual([429, 429]);
  });

  it('reports the cache degraded on /ready/ without taking the API out of the load balancer', async () => {
    await proxy.cut();
    await app.inject({ method: 'GET', url: '/api/v1/products/' });
    await app.inject({ method: 'GET', url: '/api/v1/products/?page=2' });
    await app.inject({ method: 'GET', url: '/api/v1/products/?page=3' });
    const res = await app.inject({ method: 'GET', url: '/ready/' });
    await proxy.restore();
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.cache).toMatch(/^degraded/);
  });
});
