import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, makeUser } from '../../../test/factories/users.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import { createMemoryCache, createRedisCache } from '../../core/cache.js';
import type { App } from '../../core/module.js';

const env = {
  LOGIN_RATE_LIMIT: '3',
  LOGIN_IP_RATE_LIMIT: '5',
  LOGIN_EMAIL_RATE_LIMIT: '8',
  PASSWORD_RESET_RATE_LIMIT: '2',
  RATE_LIMIT_WINDOW: '15m',
};

let app: App;
beforeAll(async () => {
  app = await createTestApp({ env });
});
afterAll(async () => {
  await app.close();
});

let ipCounter = 0;
const freshIp = () => `10.2.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

const attempt = (target: App, email: string, password: string, ip: string) =>
  target.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email, password }, remoteAddress: ip });

describe('login rate limits', () => {
  it('answers 429 with Retry-After once a client has used up its attempts on an email, even with the right password', async () => {
    const user = await makeUser(app);
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await attempt(app, user.email, 'wrong-password', ip)).statusCode).toBe(401);
    const res = await attempt(app, user.email, DEFAULT_PASSWORD, ip);
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(res.json().code).toBe('throttled');
  });

  it("a stranger's failed logins do not stop the owner's correct login from another client", async () => {
    const user = await makeUser(app);
    const stranger = freshIp();
    for (let i = 0; i < 3; i++) expect((await attempt(app, user.email, 'wrong-password', stranger)).statusCode).toBe(401);
    // the stranger's guessing is throttled...
    expect((await attempt(app, user.email, 'another-guess', stranger)).statusCode).toBe(429);
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, stranger)).statusCode).toBe(429);
    // ...the owner is not
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, freshIp())).statusCode).toBe(200);
  });

  it('caps guessing one email from many clients, but lets in a client that logged in to it before', async () => {
    const user = await makeUser(app);
    const ownersLaptop = freshIp();
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, ownersLaptop)).statusCode).toBe(200); // 1 of 8
    for (let i = 0; i < 7; i++) expect((await attempt(app, user.email, 'wrong-password', freshIp())).statusCode).toBe(401);
    // the per-email ceiling (8) is used up: new clients are throttled whatever they send
    expect((await attempt(app, user.email, 'wrong-password', freshIp())).statusCode).toBe(429);
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, freshIp())).statusCode).toBe(429);
    // the owner's known client still gets in with the right password, and still cannot guess freely
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, ownersLaptop)).statusCode).toBe(200);
  });

  it("resets a client's counter for the email after it logs in successfully", async () => {
    const user = await makeUser(app);
    const ip = freshIp();
    // 2 + 1 + 3 attempts would exceed the per-IP limit (5); 1 + 1 + 3 does not
    await attempt(app, user.email, 'wrong-password', ip);
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, ip)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await attempt(app, user.email, 'wrong-password', ip)).statusCode).toBe(401);
  });

  it('limits one IP across many emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await attempt(app, `someone-${i}@example.com`, 'x-password', ip)).statusCode).toBe(401);
    const res = await attempt(app, 'someone-else@example.com', 'x-password', ip);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('lets a client try again once the window has passed', { timeout: 120_000 }, async () => {
    // the in-process cache measures its windows with ctx.now, so the window passes by moving that clock
    const local = await createTestApp({ env, cache: createMemoryCache() });
    try {
      const user = await makeUser(local);
      const ip = freshIp();
      for (let i = 0; i < 3; i++) await attempt(local, user.email, 'wrong-password', ip);
      expect((await attempt(local, user.email, DEFAULT_PASSWORD, ip)).statusCode).toBe(429);
      const later = new Date(local.ctx.now().getTime() + 15 * 60_000 + 1000);
      local.ctx.now = () => later;
      expect((await attempt(local, user.email, DEFAULT_PASSWORD, ip)).statusCode).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('counts emails case-insensitively', async () => {
    const user = await makeUser(app);
    const ip = freshIp();
    for (const variant of [user.email, user.email.toUpperCase(), ` ${user.email}`]) {
      await attempt(app, variant, 'wrong-password', ip);
    }
    expect((await attempt(app, user.email, DEFAULT_PASSWORD, ip)).statusCode).toBe(429);
  });

  it('keeps no email or IP in the cache keys', async () => {
    const keys: string[] = [];
    const cache = app.ctx.cache;
    const incr = cache.incr;
    cache.incr = (key, ttl) => {
      keys.push(key);
      return incr.call(cache, key, ttl);
    };
    try {
      await attempt(app, 'private.person@example.com', 'wrong-password', '10.9.9.9');
    } finally {
      cache.incr = incr;
    }
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.includes('private.person'))).toEqual([]);
    expect(keys.filter((k) => !k.startsWith('rl:login:ip:') && k.includes('10.9.9.9'))).toEqual([]);
  });
});

describe('password reset rate limits', () => {
  const reset = (email: string, ip: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/', payload: { email }, remoteAddress: ip });

  it('answers 429 after PASSWORD_RESET_RATE_LIMIT requests for one email', async () => {
    const user = await makeUser(app);
    expect((await reset(user.email, freshIp())).statusCode).toBe(202);
    expect((await reset(user.email, freshIp())).statusCode).toBe(202);
    const res = await reset(user.email, freshIp());
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('answers 429 after PASSWORD_RESET_RATE_LIMIT requests from one IP', async () => {
    const ip = freshIp();
    await reset('a-reset@example.com', ip);
    await reset('b-reset@example.com', ip);
    expect((await reset('c-reset@example.com', ip)).statusCode).toBe(429);
  });
});

describe.runIf(process.env.REDIS_URL)('rate limits with Redis', () => {
  it('hold across two app instances sharing the cache', { timeout: 120_000 }, async () => {
    const prefix = `test:rl-shared:${randomBytes(6).toString('hex')}:`;
    const url = process.env.REDIS_URL as string;
    const first = await createTestApp({ env, cache: createRedisCache(url, prefix) });
    const second = await createTestApp({ env, cache: createRedisCache(url, prefix) });
    try {
      const email = 'shared-limit@example.com';
      const ip = freshIp();
      for (let i = 0; i < 3; i++) expect((await attempt(first, email, 'wrong-password', ip)).statusCode).toBe(401);
      const res = await attempt(second, email, 'wrong-password', ip);
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await first.close();
      await second.close();
    }
  });
});
