import { afterEach, describe, expect, it } from 'vitest';
import { mailsTo, tokenFromMail } from '../../../test/factories/mail.js';
import { authHeader, DEFAULT_PASSWORD, login, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';

let ipCounter = 0;
const { app } = useTestApp();
afterEach(() => {
  app.ctx.now = () => new Date();
});

// each request from its own address, so the per-IP reset limit (tested elsewhere) stays out of the way
const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    payload: payload as object,
    headers,
    remoteAddress: `10.1.0.${++ipCounter}`,
  });

async function requestReset(email: string): Promise<string> {
  const res = await post('/auth/password-reset/', { email });
  expect(res.statusCode).toBe(202);
  await app.ctx.jobs.runDue();
  const mails = (await mailsTo(app, email)).filter((m) => m.subject === 'Reset your password');
  const mail = mails.at(-1);
  if (!mail) throw new Error('no reset email');
  return tokenFromMail(mail);
}

describe('POST /auth/password-reset/', () => {
  it('answers the same status and body for a known and an unknown email', async () => {
    const user = await makeUser(app);
    const known = await post('/auth/password-reset/', { email: user.email });
    const unknown = await post('/auth/password-reset/', { email: 'nobody-here@example.com' });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
  });

  it('mails a reset link to a known email only', async () => {
    const user = await makeUser(app);
    await post('/auth/password-reset/', { email: user.email });
    await post('/auth/password-reset/', { email: 'ghost@example.com' });
    await app.ctx.jobs.runDue();
    const [mail] = await mailsTo(app, user.email);
    expect(mail?.text).toContain(`${app.ctx.config.frontendUrl}/reset-password?token=`);
    expect(await mailsTo(app, 'ghost@example.com')).toHaveLength(0);
  });
});

describe('POST /auth/password-reset/confirm/', () => {
  it('sets the new password and ends every session of the user', async () => {
    const user = await makeUser(app);
    const session = await login(app, user.email);
    const token = await requestReset(user.email);
    const res = await post('/auth/password-reset/confirm/', { token, new_password: 'tangerine-glacier-42' });
    expect(res.statusCode).toBe(200);
    expect((await post('/auth/token/refresh/', { refresh: session.refresh })).statusCode).toBe(401);
    expect((await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD })).statusCode).toBe(401);
    expect((await post('/auth/login/', { email: user.email, password: 'tangerine-glacier-42' })).statusCode).toBe(200);
  });

  it('refuses a used token with 400 on token', async () => {
    const user = await makeUser(app);
    const token = await requestReset(user.email);
    expect((await post('/auth/password-reset/confirm/', { token, new_password: 'tangerine-glacier-42' })).statusCode).toBe(200);
    const again = await post('/auth/password-reset/confirm/', { token, new_password: 'another-fine-phrase' });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors.token).toEqual(['This link has already been used.']);
  });

  it('refuses a token older than one hour with 400 on token and keeps the old password', async () => {
    const user = await makeUser(app);
    const token = await requestReset(user.email);
    const issued = Date.now();
    app.ctx.now = () => new Date(issued + 3600_000 + 60_000);
    const res = await post('/auth/password-reset/confirm/', { token, new_password: 'tangerine-glacier-42' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.token).toEqual(['This link has expired.']);
    app.ctx.now = () => new Date();
    expect((await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD })).statusCode).toBe(200);
  });

  it('refuses an unknown token with 400 on token', async () => {
    const res = await post('/auth/password-reset/confirm/', { token: 'made-up', new_password: 'tangerine-glacier-42' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.token).toBeDefined();
  });

  it('refuses a weak new password in errors.new_password and leaves the token usable', async () => {
    const user = await makeUser(app, { firstName: 'Bartholomew' });
    const token = await requestReset(user.email);
    const weak = await post('/auth/password-reset/confirm/', { token, new_password: 'bartholomew' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors.new_password).toContain('The password is too similar to the first name.');
    expect((await post('/auth/password-reset/confirm/', { token, new_password: 'tangerine-glacier-42' })).statusCode).toBe(200);
  });

  it('makes older reset links void once a reset succeeded', async () => {
    const user = await makeUser(app);
    const first = await requestReset(user.email);
    const second = await requestReset(user.email);
    expect(
      (await post('/auth/password-reset/confirm/', { token: second, new_password: 'tangerine-glacier-42' })).statusCode,
    ).toBe(200);
    expect((await post('/auth/password-reset/confirm/', { token: first, new_password: 'another-fine-phrase' })).statusCode).toBe(
      400,
    );
  });
});

describe('POST /auth/change-password/', () => {
  it('changes the password, revokes the old refresh tokens and returns a working new pair', async () => {
    const user = await makeUser(app);
    const old = await login(app, user.email);
    const res = await post(
      '/auth/change-password/',
      { old_password: DEFAULT_PASSWORD, new_password: 'tangerine-glacier-42' },
      { authorization: `Bearer ${old.access}` },
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ detail: 'Password updated.', access: expect.any(String), refresh: expect.any(String) });
    expect((await post('/auth/token/refresh/', { refresh: old.refresh })).statusCode).toBe(401);
    expect((await post('/auth/token/refresh/', { refresh: body.refresh })).statusCode).toBe(200);
    expect((await post('/auth/login/', { email: user.email, password: 'tangerine-glacier-42' })).statusCode).toBe(200);
  });

  it('refuses a wrong old password with 400 on old_password', async () => {
    const user = await makeUser(app);
    const res = await post(
      '/auth/change-password/',
      { old_password: 'not-my-password', new_password: 'tangerine-glacier-42' },
      await authHeader(app, user),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.old_password).toBeDefined();
  });

  it('refuses a weak new password in errors.new_password', async () => {
    const user = await makeUser(app);
    const res = await post(
      '/auth/change-password/',
      { old_password: DEFAULT_PASSWORD, new_password: 'password' },
      await authHeader(app, user),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.new_password).toEqual(['This password is too common.']);
  });

  it('requires authentication', async () => {
    const res = await post('/auth/change-password/', { old_password: 'a', new_password: 'tangerine-glacier-42' });
    expect(res.statusCode).toBe(401);
  });
});
