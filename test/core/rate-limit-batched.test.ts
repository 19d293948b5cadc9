// The global API rate limit with Redis (core/rate-limit.ts `createBatchedCounter`): counted in each process and
// added to Redis in batches, it still holds across two processes sharing Redis, within the documented bound
// (what a process admits in one sync interval before it hears the others' counts), and keeps answering 429
// while Redis is away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/core/module.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { startTwoProcesses, type TwoProcesses } from '../support/two-processes.js';

const redisUrl = process.env.REDIS_URL;
const SYNC_MS = 50;
const settle = () => new Promise((r) => setTimeout(r, SYNC_MS * 8));

describe.skipIf(!redisUrl)('API rate limit across processes (skipped: needs REDIS_URL)', () => {
  let apps: TwoProcesses;
  let proxy: FaultProxy;
  let a: App;
  let b: App;

  beforeAll(async () => {
    const env = { API_RATE_LIMIT: '10', RATE_LIMIT_SYNC_MS: String(SYNC_MS) };
    apps = await startTwoProcesses(redisUrl as string, { a: env, b: env });
    ({ a, b, proxy } = apps);
  });
  afterAll(() => apps?.close());

  const hit = (app: App, ip: string) => app.inject({ method: 'GET', url: '/api/v1/products/categories/', remoteAddress: ip });
  const codes = async (app: App, ip: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await hit(app, ip)).statusCode);
    return out;
  };

  it('counts the hits of both processes against one limit', async () => {
    const ip = '203.0.113.10';
    expect(await codes(a, ip, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    await settle(); // A's counts reach Redis
    // B's first hit of the window is counted in Redis (7), then B decides locally: 8, 9, 10, then 429
    const fromB = await codes(b, ip, 6);
    expect(fromB).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await hit(b, ip);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['x-ratelimit-limit']).toBe('10');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.json().code).toBeDefined();
    await settle();
    // A last heard the total at 6: it may admit what it takes in one sync interval (the bound), then refuses
    const fromA = await codes(a, ip, 1);
    await settle();
    fromA.push(...(await codes(a, ip, 2)));
    expect(fromA.slice(1)).toEqual([429, 429]);
    expect(fromA.filter((c) => c === 200).length).toBeLessThanOrEqual(1);
  });

  it('keeps each client to its own count', async () => {
    expect(await codes(b, '203.0.113.20', 3)).toEqual([200, 200, 200]);
    expect(await codes(a, '203.0.113.21', 3)).toEqual([200, 200, 200]);
  });

  it('keeps answering, and limiting, while Redis is away', async () => {
    const ip = '203.0.113.30';
    await proxy.cut();
    try {
      const seen = await codes(b, ip, 12);
      expect(seen.every((c) => c === 200 || c === 429)).toBe(true);
      expect(seen.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(seen.slice(10)).toEqual([429, 429]);
    } finally {
      await proxy.restore();
    }
  });
});
