// Sessions that end: after logout (that session), password change and reset (all sessions), deactivation and
// loss of staff rights (all sessions), the old access tokens are refused at once, in every process.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailsTo, tokenFromMail } from '../../../test/factories/mail.js';
import { authHeader, DEFAULT_PASSWORD, login, makeStaff, makeUser } from '../../../test/factories/users.js';
import { createTestApp, openTestDatabase, TEST_SECRET } from '../../../test/setup/test-app.js';
import { type Cache, createMemoryCache, createRedisCache } from '../../core/cache.js';
import type { Database } from '../../core/db.js';
import type { App } from '../../core/module.js';

let app: App;
let twin: App; // a second process: same database, same cache (Redis when REDIS_URL is set)
let database: Database;
const caches: Cache[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const shared = createMemoryCache();
  const cacheFor = () => {
    const cache = process.env.REDIS_URL ? createRedisCache(process.env.REDIS_URL, prefix) : shared;
    caches.push(cache);
    return cache;
  };
  // the twin must not close the shared database; the first app does
  app = await createTestApp({ database, cache: cacheFor() });
  twin = await createTestApp({ database: { ...database, close: async () => {} }, cache: cacheFor() });
});
afterAll(async () => {
  await twin?.close();
  await app?.close();
});

const bearer = (access: string) => ({ authorization: `Bearer ${access}` });
const me = (target: App, access: string) => target.inject({ method: 'GET', url: '/api/v1/users/me/', headers: bearer(access) });
const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers });

/** Asserts each token works on both processes (which also puts "live" in their caches). */
async function expectLive(...tokens: string[]) {
  for (const token of tokens) {
    expect((await me(app, token)).statusCode).toBe(200);
    expect((await me(twin, token)).statusCode).toBe(200);
  }
}
async function expectEnded(...tokens: string[]) {
  for (const token of tokens) {
    const res = await me(twin, token);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_not_valid');
    expect((await me(app, token)).statusCode).toBe(401);
  }
}

describe('access tokens end with their session', () => {
  it('logout ends that session only, in every process at once', async () => {
    const user = await makeUser(app);
    const [a, b] = [await login(app, user.email), await login(app, user.email)];
    await expectLive(a.access, b.access);
    const res = await post('/auth/logout/', { refresh: a.refresh }, bearer(a.access));
    expect(res.statusCode).toBe(204);
    await expectEnded(a.access);
    await expectLive(b.access);
  });

  it('a password change ends every session; the new pair it returns works', async () => {
    const user = await makeUser(app);
    const other = await login(app, (await makeUser(app)).email);
    const [a, b] = [await login(app, user.email), await login(app, user.email)];
    await expectLive(a.access, b.access);
    const res = await post(
      '/auth/change-password/',
      { old_password: DEFAULT_PASSWORD, new_password: 'a-brand-new-passphrase' },
      bearer(a.access),
    );
    expect(res.statusCode).toBe(200);
    await expectEnded(a.access, b.access);
    await expectLive(res.json().access, other.access);
  });

  it('a password reset ends every session', async () => {
    const user = await makeUser(app);
    const other = await login(app, (await makeUser(app)).email);
    const a = await login(app, user.email);
    await expectLive(a.access);
    expect((await post('/auth/password-reset/', { email: user.email })).statusCode).toBe(202);
    await app.ctx.jobs.runDue();
    const mail = (await mailsTo(app, user.email)).find((m) => m.subject === 'Reset your password');
    if (!mail) throw new Error('no reset email');
    const res = await post('/auth/password-reset/confirm/', { token: tokenFromMail(mail), new_password: 'tangerine-glacier-42' });
    expect(res.statusCode).toBe(200);
    await expectEnded(a.access);
    await expectLive(other.access);
  });

  it('deactivation ends every session', async () => {
    const admin = await authHeader(app, await makeUser(app, { isStaff: true, isSuperuser: true }));
    const user = await makeUser(app);
    const other = await login(app, (await makeUser(app)).email);
    const [a, b] = [await login(app, user.email), await login(app, user.email)];
    await expectLive(a.access, b.access);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}/`,
      headers: admin,
      payload: { is_active: false },
    });
    expect(res.statusCode).toBe(200);
    await expectEnded(a.access, b.access);
    await expectLive(other.access);
  });

  it('losing staff rights ends every session, staff rights included', async () => {
    const admin = await authHeader(app, await makeUser(app, { isStaff: true, isSuperuser: true }));
    const staff = await makeStaff(app);
    const colleague = await login(app, (await makeStaff(app)).email);
    const a = await login(app, staff.email);
    expect((await twin.inject({ method: 'GET', url: '/api/v1/users/', headers: bearer(a.access) })).statusCode).toBe(200);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${staff.id}/`,
      headers: admin,
      payload: { is_staff: false },
    });
    expect(res.statusCode).toBe(200);
    expect((await twin.inject({ method: 'GET', url: '/api/v1/users/', headers: bearer(a.access) })).statusCode).toBe(401);
    await expectEnded(a.access);
    expect((await twin.inject({ method: 'GET', url: '/api/v1/users/', headers: bearer(colleague.access) })).statusCode).toBe(200);
  });

  it('a reused refresh token ends its session for the access tokens too', async () => {
    const user = await makeUser(app);
    const first = await login(app, user.email);
    const rotated = await post('/auth/token/refresh/', { refresh: first.refresh });
    expect(rotated.statusCode).toBe(200);
    await expectLive(rotated.json().access);
    expect((await post('/auth/token/refresh/', { refresh: first.refresh })).statusCode).toBe(401);
    await expectEnded(first.access, rotated.json().access);
  });

  it('answers from the database when the cache lost its entry (the database is the truth)', async () => {
    const user = await makeUser(app);
    const a = await login(app, user.email);
    await post('/auth/logout/', { refresh: a.refresh }, bearer(a.access));
    const sid = JSON.parse(Buffer.from(a.access.split('.')[1] as string, 'base64url').toString()).sid as string;
    await app.ctx.cache.del(`sess:${sid}`);
    await twin.ctx.cache.del(`sess:${sid}`);
    await expectEnded(a.access);
  });
});

describe('tokens that cannot be trusted', () => {
  const sign = (claims: Record<string, unknown>, withExp: boolean) => {
    let jwt = new SignJWT({ token_type: 'access', jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt();
    if (withExp) jwt = jwt.setExpirationTime('5m');
    return jwt.sign(new TextEncoder().encode(TEST_SECRET));
  };

  it('refuses a token without exp even when its session is live', async () => {
    const user = await makeUser(app);
    const live = await login(app, user.email);
    const sid = JSON.parse(Buffer.from(live.access.split('.')[1] as string, 'base64url').toString()).sid as string;
    expect((await me(app, await sign({ user_id: user.id, sid }, true))).statusCode).toBe(200);
    const res = await me(app, await sign({ user_id: user.id, sid }, false));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_not_valid');
  });

  it('refuses a token without a session, or with another user’s session', async () => {
    const user = await makeUser(app);
    const other = await login(app, (await makeUser(app)).email);
    const sid = JSON.parse(Buffer.from(other.access.split('.')[1] as string, 'base64url').toString()).sid as string;
    expect((await me(app, await sign({ user_id: user.id }, true))).statusCode).toBe(401);
    expect((await me(app, await sign({ user_id: user.id, sid }, true))).statusCode).toBe(401);
    expect((await me(app, await sign({ user_id: user.id, sid: 'not-a-uuid' }, true))).statusCode).toBe(401);
  });
});
