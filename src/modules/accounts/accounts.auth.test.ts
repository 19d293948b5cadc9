import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { authHeader, DEFAULT_PASSWORD, login, makeStaff, makeUser } from '../../../test/factories/users.js';
import { TEST_SECRET, useTestApp } from '../../../test/setup/test-app.js';
import { hashToken, signAccessToken, signToken } from '../../core/auth.js';
import { queryRows, sql } from '../../core/db.js';
import { mergeGuestCartAtLogin } from '../cart/cart.service.js';

// The cart module implements the merge (the login hook wired in src/modules/index.ts); here only the login side
// of the contract is under test.
vi.mock('../cart/cart.service.js', async (original) => ({
  ...(await original<typeof import('../cart/cart.service.js')>()),
  mergeGuestCartAtLogin: vi.fn(async () => {}),
}));

const { app } = useTestApp();

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers });

async function userCount() {
  const [row] = await queryRows<{ n: number }>(app.ctx.db, sql`SELECT count(*)::int AS n FROM users`);
  return row?.n;
}

async function jobsOf(type: string, userId: string) {
  const result = (await app.ctx.db.execute(
    sql`SELECT id FROM jobs WHERE type = ${type} AND payload->>'userId' = ${userId}`,
  )) as unknown as {
    rows: unknown[];
  };
  return result.rows.length;
}

describe('POST /auth/register/', () => {
  it('creates an unverified user, answers 201 {user} and enqueues the verification email', async () => {
    const res = await post('/auth/register/', {
      email: 'New.Person@Example.COM',
      password: 'a-long-unusual-passphrase',
      first_name: 'New',
      last_name: 'Person',
    });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toEqual({
      id: expect.any(String),
      email: 'new.person@example.com',
      first_name: 'New',
      last_name: 'Person',
      is_email_verified: false,
      is_staff: false,
      date_joined: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await jobsOf('accounts.send_verification_email', user.id)).toBe(1);
  });

  it('refuses a duplicate email with errors.email, whatever its case', async () => {
    const existing = await makeUser(app);
    const res = await post('/auth/register/', { email: existing.email.toUpperCase(), password: 'a-long-unusual-passphrase' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.email).toEqual(['user with this email address already exists.']);
  });

  it('refuses weak passwords with every Django validator message in errors.password', async () => {
    const res = await post('/auth/register/', { email: 'weak@example.com', password: '1234567' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.password).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
    ]);
  });

  it('refuses a password too similar to the email', async () => {
    const res = await post('/auth/register/', { email: 'margaretha@example.com', password: 'margaretha1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.password).toContain('The password is too similar to the email address.');
  });

  it('refuses an invalid email with a field error and creates nothing', async () => {
    const before = await userCount();
    const res = await post('/auth/register/', { email: 'not-an-email', password: 'a-long-unusual-passphrase' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.email).toBeDefined();
    expect(await userCount()).toBe(before);
  });

  it('stores the password as an argon2id hash, never as given', async () => {
    const res = await post('/auth/register/', { email: 'hash-check@example.com', password: 'a-long-unusual-passphrase' });
    const [row] = await queryRows<{ password_hash: string }>(
      app.ctx.db,
      sql`SELECT password_hash FROM users WHERE id = ${res.json().user.id}`,
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(row?.password_hash).not.toContain('a-long-unusual-passphrase');
  });
});

describe('POST /auth/login/', () => {
  it('returns access, refresh and the user', async () => {
    const user = await makeUser(app);
    const res = await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ id: user.id, email: user.email, is_staff: false });
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me/', headers: { authorization: `Bearer ${body.access}` } });
    expect(me.json().id).toBe(user.id);
  });

  it('issues an access token valid for ACCESS_TOKEN_TTL and a refresh token for REFRESH_TOKEN_TTL', async () => {
    const user = await makeUser(app);
    const { access, refresh } = await login(app, user.email);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(claims(access).exp - claims(access).iat).toBe(15 * 60);
    expect(claims(refresh).exp - claims(refresh).iat).toBe(7 * 24 * 3600);
    expect(claims(access)).toMatchObject({ token_type: 'access', user_id: user.id });
    expect(claims(refresh)).toMatchObject({ token_type: 'refresh', user_id: user.id });
  });

  it('answers 401 to a wrong password', async () => {
    const user = await makeUser(app);
    const res = await post('/auth/login/', { email: user.email, password: 'wrong-password-here' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('no_active_account');
  });

  it('answers the same 401 to an unknown email', async () => {
    const res = await post('/auth/login/', { email: 'nobody@example.com', password: 'whatever-password' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('no_active_account');
  });

  it('refuses an inactive user', async () => {
    const user = await makeUser(app, { isActive: false });
    const res = await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD });
    expect(res.statusCode).toBe(401);
  });

  it('merges the guest cart sent in X-Cart-Token', async () => {
    const user = await makeUser(app);
    await login(app, user.email, DEFAULT_PASSWORD, { 'x-cart-token': 'guest-cart-token' });
    expect(vi.mocked(mergeGuestCartAtLogin)).toHaveBeenCalledWith(app.ctx, { userId: user.id, cartToken: 'guest-cart-token' });
  });

  it('still logs in when the guest cart merge fails', async () => {
    vi.mocked(mergeGuestCartAtLogin).mockRejectedValueOnce(new Error('unknown cart'));
    const user = await makeUser(app);
    const res = await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD }, { 'x-cart-token': 'stale' });
    expect(res.statusCode).toBe(200);
  });
});

describe('access tokens', () => {
  const me = (authorization: string) => app.inject({ method: 'GET', url: '/api/v1/users/me/', headers: { authorization } });

  it('answers 401 without a token on a user route', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/me/' });
    expect(res.statusCode).toBe(401);
  });

  it('refuses an expired access token with 401', async () => {
    const user = await makeUser(app);
    const { token } = await signAccessToken(
      TEST_SECRET,
      { ...user, sessionId: crypto.randomUUID() },
      60,
      new Date(Date.now() - 3600_000),
    );
    const res = await me(`Bearer ${token}`);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_not_valid');
  });

  it('refuses an alg "none" token with 401', async () => {
    const user = await makeUser(app);
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ token_type: 'access', user_id: user.id, jti: 'x', iat: now, exp: now + 600, is_staff: true })}.`;
    expect((await me(`Bearer ${token}`)).statusCode).toBe(401);
  });

  it('refuses a tampered token (payload changed, signature kept) with 401', async () => {
    const user = await makeUser(app);
    const { access } = await login(app, user.email);
    const [header, payload, signature] = access.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, is_staff: true })).toString('base64url');
    expect((await me(`Bearer ${header}.${forged}.${signature}`)).statusCode).toBe(401);
  });

  it('refuses a token signed with another secret', async () => {
    const user = await makeUser(app);
    const { token } = await signAccessToken('some-other-secret-0123456789', { ...user, sessionId: crypto.randomUUID() }, 600);
    expect((await me(`Bearer ${token}`)).statusCode).toBe(401);
  });

  it('refuses a refresh token used as an access token', async () => {
    const user = await makeUser(app);
    const { refresh } = await login(app, user.email);
    expect((await me(`Bearer ${refresh}`)).statusCode).toBe(401);
  });

  it('refuses an HS512 token even with the right secret', async () => {
    const user = await makeUser(app);
    const token = await new SignJWT({ token_type: 'access', user_id: user.id, jti: 'j' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await me(`Bearer ${token}`)).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('refuses a customer on a staff-only route with 403', async () => {
    const customer = await makeUser(app);
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/', headers: await authHeader(app, customer) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('permission_denied');
  });

  it('lets staff list users, paginated and searchable', async () => {
    const staff = await makeStaff(app);
    const target = await makeUser(app, { email: 'findme-staff-list@example.com' });
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/users/?search=findme-staff&page_size=5',
      headers: await authHeader(app, staff),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 1, next: null, previous: null });
    expect(res.json().results[0]).toMatchObject({ id: target.id, is_superuser: false, is_active: true });
  });

  it('carries staff and superuser flags in the access token from login', async () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    const admin = await makeUser(app, { isStaff: true, isSuperuser: true });
    const { access } = await login(app, admin.email);
    expect(claims(access)).toMatchObject({ user_id: admin.id, is_staff: true, is_superuser: true });
    const res = await app.inject({ method: 'GET', url: '/api/v1/users/', headers: { authorization: `Bearer ${access}` } });
    expect(res.statusCode).toBe(200);
    // the flags are the user's own: staff without superuser, and a customer, get false where they are not
    const staffOnly = await makeUser(app, { isStaff: true });
    expect(claims((await login(app, staffOnly.email)).access)).toMatchObject({ is_staff: true, is_superuser: false });
    const customer = await makeUser(app);
    expect(claims((await login(app, customer.email)).access)).toMatchObject({ is_staff: false, is_superuser: false });
  });
});

describe('POST /auth/token/refresh/', () => {
  it('rotates: returns a new pair and blacklists the presented refresh token', async () => {
    const user = await makeUser(app);
    const first = await login(app, user.email);
    const res = await post('/auth/token/refresh/', { refresh: first.refresh });
    expect(res.statusCode).toBe(200);
    const second = res.json();
    expect(second.refresh).not.toBe(first.refresh);
    expect(second.access).toEqual(expect.any(String));
    const again = await post('/auth/token/refresh/', { refresh: first.refresh });
    expect(again.statusCode).toBe(401);
  });

  it('revokes the whole family when a rotated refresh token is reused', async () => {
    const user = await makeUser(app);
    const { refresh: r1 } = await login(app, user.email);
    const r2 = (await post('/auth/token/refresh/', { refresh: r1 })).json().refresh;
    const r3 = (await post('/auth/token/refresh/', { refresh: r2 })).json().refresh;
    // an attacker replays r1: refused, and the legitimate holder of r3 is logged out too
    expect((await post('/auth/token/refresh/', { refresh: r1 })).statusCode).toBe(401);
    expect((await post('/auth/token/refresh/', { refresh: r3 })).statusCode).toBe(401);
  });

  it('stores refresh tokens only as a hash of their jti', async () => {
    const user = await makeUser(app);
    const { refresh } = await login(app, user.email);
    const { jti } = JSON.parse(Buffer.from(refresh.split('.')[1] as string, 'base64url').toString());
    const rows = await queryRows<{ jti_hash: string }>(
      app.ctx.db,
      sql`SELECT jti_hash FROM refresh_tokens WHERE user_id = ${user.id}`,
    );
    expect(rows.map((r) => r.jti_hash)).toEqual([hashToken(jti)]);
    expect(rows[0]?.jti_hash).not.toBe(jti);
  });

  it('leaves the other sessions of the user alone when one family is revoked', async () => {
    const user = await makeUser(app);
    const phone = await login(app, user.email);
    const laptop = await login(app, user.email);
    await post('/auth/token/refresh/', { refresh: phone.refresh });
    await post('/auth/token/refresh/', { refresh: phone.refresh });
    expect((await post('/auth/token/refresh/', { refresh: laptop.refresh })).statusCode).toBe(200);
  });

  it('refuses a garbage token, an access token and an expired refresh token with 401', async () => {
    const user = await makeUser(app);
    const { access } = await login(app, user.email);
    const { token: expired } = await signToken(
      TEST_SECRET,
      { token_type: 'refresh', user_id: user.id, family: crypto.randomUUID() },
      60,
      new Date(Date.now() - 3600_000),
    );
    for (const refresh of ['garbage', access, expired]) {
      const res = await post('/auth/token/refresh/', { refresh });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('token_not_valid');
    }
  });

  it('refuses a validly signed refresh token that was never issued', async () => {
    const user = await makeUser(app);
    const { token } = await signToken(TEST_SECRET, { token_type: 'refresh', user_id: user.id, family: crypto.randomUUID() }, 600);
    expect((await post('/auth/token/refresh/', { refresh: token })).statusCode).toBe(401);
  });

  it('refuses to refresh for a user who was deactivated', async () => {
    const user = await makeUser(app);
    const { refresh } = await login(app, user.email);
    await app.ctx.db.execute(sql`UPDATE users SET is_active = false WHERE id = ${user.id}`);
    expect((await post('/auth/token/refresh/', { refresh })).statusCode).toBe(401);
  });
});

describe('POST /auth/logout/', () => {
  it('answers 204 and blacklists the refresh token', async () => {
    const user = await makeUser(app);
    const { access, refresh } = await login(app, user.email);
    const res = await post('/auth/logout/', { refresh }, { authorization: `Bearer ${access}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await post('/auth/token/refresh/', { refresh })).statusCode).toBe(401);
  });

  it('requires authentication', async () => {
    const user = await makeUser(app);
    const { refresh } = await login(app, user.email);
    expect((await post('/auth/logout/', { refresh })).statusCode).toBe(401);
  });

  it("refuses to blacklist another user's refresh token", async () => {
    const alice = await makeUser(app);
    const bob = await makeUser(app);
    const aliceTokens = await login(app, alice.email);
    const res = await post('/auth/logout/', { refresh: aliceTokens.refresh }, await authHeader(app, bob));
    expect(res.statusCode).toBe(403);
    expect((await post('/auth/token/refresh/', { refresh: aliceTokens.refresh })).statusCode).toBe(200);
  });
});
