import { afterEach, describe, expect, it } from 'vitest';
import { mailsTo, tokenFromMail } from '../../../test/factories/mail.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { queryRows, sql } from '../../core/db.js';
import { enqueueJob } from '../../core/jobs.js';
import { cleanupTokensJob } from './accounts.jobs.js';

const realNow = () => new Date();
const { app } = useTestApp();
afterEach(() => {
  app.ctx.now = realNow;
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers });

async function register(email: string) {
  const res = await post('/auth/register/', { email, password: 'plum-orchard-sunrise', first_name: 'Flo' });
  expect(res.statusCode).toBe(201);
  return res.json().user as { id: string; email: string };
}

/** Registers, runs the email job and returns the token mailed to the user. */
async function registerAndReadToken(email: string) {
  const user = await register(email);
  await app.ctx.jobs.runDue();
  const [mail] = await mailsTo(app, email);
  if (!mail) throw new Error('no verification email');
  return { user, token: tokenFromMail(mail), mail };
}

describe('register -> email -> verify -> login -> refresh -> logout', () => {
  it('works end to end over HTTP, with the token read back from the .eml file', async () => {
    const email = 'flow@example.com';
    const { token, mail } = await registerAndReadToken(email);
    expect(mail.subject).toBe('Verify your email address');
    expect(mail.text).toContain(`${app.ctx.config.frontendUrl}/verify-email?token=`);
    expect(mail.html).toContain('/verify-email?token=');

    const verified = await post('/auth/verify-email/', { token });
    expect(verified.statusCode).toBe(200);

    const login = await post('/auth/login/', { email, password: 'plum-orchard-sunrise' });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.is_email_verified).toBe(true);

    const refreshed = await post('/auth/token/refresh/', { refresh: login.json().refresh });
    expect(refreshed.statusCode).toBe(200);
    const { access, refresh } = refreshed.json();

    const logout = await post('/auth/logout/', { refresh }, { authorization: `Bearer ${access}` });
    expect(logout.statusCode).toBe(204);

    const refused = await post('/auth/token/refresh/', { refresh });
    expect(refused.statusCode).toBe(401);
  });

  it('sends the welcome email once the address is verified', async () => {
    const email = 'welcome@example.com';
    const { token } = await registerAndReadToken(email);
    await post('/auth/verify-email/', { token });
    await app.ctx.jobs.runDue();
    const subjects = (await mailsTo(app, email)).map((m) => m.subject);
    expect(subjects).toEqual(['Verify your email address', 'Welcome to Emporium']);
  });

  it('stores verification tokens only as hashes', async () => {
    const { user, token } = await registerAndReadToken('hashed@example.com');
    const rows = await queryRows<{ token_hash: string }>(
      app.ctx.db,
      sql`SELECT token_hash FROM account_tokens WHERE user_id = ${user.id}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toContain(token);
    const jobs = await queryRows<{ payload: unknown }>(
      app.ctx.db,
      sql`SELECT payload FROM jobs WHERE payload->>'userId' = ${user.id}`,
    );
    expect(JSON.stringify(jobs)).not.toContain(token);
  });
});

describe('POST /auth/verify-email/', () => {
  it('refuses a token used a second time with 400 on token', async () => {
    const { token } = await registerAndReadToken('twice@example.com');
    expect((await post('/auth/verify-email/', { token })).statusCode).toBe(200);
    const again = await post('/auth/verify-email/', { token });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors.token).toEqual(['This link has already been used.']);
  });

  it('refuses a token after 24 hours with 400 on token and leaves the user unverified', async () => {
    const { user, token } = await registerAndReadToken('late@example.com');
    const issued = Date.now();
    app.ctx.now = () => new Date(issued + 24 * 3600_000 + 60_000);
    const res = await post('/auth/verify-email/', { token });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.token).toEqual(['This link has expired.']);
    const [row] = await queryRows<{ is_email_verified: boolean }>(
      app.ctx.db,
      sql`SELECT is_email_verified FROM users WHERE id = ${user.id}`,
    );
    expect(row?.is_email_verified).toBe(false);
  });

  it('accepts a token just before it expires', async () => {
    const { token } = await registerAndReadToken('intime@example.com');
    const issued = Date.now();
    app.ctx.now = () => new Date(issued + 23 * 3600_000);
    expect((await post('/auth/verify-email/', { token })).statusCode).toBe(200);
  });

  it('refuses an unknown token with 400 on token', async () => {
    const res = await post('/auth/verify-email/', { token: 'not-a-real-token' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.token).toEqual(['Invalid token.']);
  });
});

describe('POST /auth/resend-verification/', () => {
  it('answers 202 and mails a new link that works', async () => {
    const { user } = await registerAndReadToken('resend@example.com');
    const res = await post(
      '/auth/resend-verification/',
      {},
      await authHeader(app, { ...user, isStaff: false, isSuperuser: false }),
    );
    expect(res.statusCode).toBe(202);
    await app.ctx.jobs.runDue();
    const mails = await mailsTo(app, 'resend@example.com');
    expect(mails).toHaveLength(2);
    expect((await post('/auth/verify-email/', { token: tokenFromMail(mails[1]!) })).statusCode).toBe(200);
  });

  it('refuses a user whose email is already verified', async () => {
    const user = await makeUser(app, { isEmailVerified: true });
    const res = await post('/auth/resend-verification/', {}, await authHeader(app, user));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('already_verified');
  });

  it('requires authentication', async () => {
    expect((await post('/auth/resend-verification/', {})).statusCode).toBe(401);
  });
});

describe('accounts.cleanup_expired_tokens', () => {
  it('deletes one-time tokens that expired more than a day ago and keeps live ones', async () => {
    const { user: old } = await registerAndReadToken('cleanup-old@example.com');
    const issued = Date.now();
    app.ctx.now = () => new Date(issued + 3 * 86400_000);
    const { user: fresh } = await registerAndReadToken('cleanup-fresh@example.com');
    await enqueueJob(app.ctx.db, cleanupTokensJob, {});
    await app.ctx.jobs.runDue();
    const left = await queryRows<{ user_id: string }>(
      app.ctx.db,
      sql`SELECT user_id FROM account_tokens WHERE user_id IN (${old.id}, ${fresh.id})`,
    );
    expect(left.map((r) => r.user_id)).toEqual([fresh.id]);
  });
});

describe('the verification email job is in the registration transaction', () => {
  it('leaves neither the user nor an email job when the registration fails after inserting the user', async () => {
    // A deferred constraint trigger fails the transaction at COMMIT, after the user row and the job row were
    // both written: if the job were enqueued outside the transaction it would survive the rollback.
    await app.ctx.db.execute(sql`
      CREATE FUNCTION test_fail_registration() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure after insert'; END $$`);
    await app.ctx.db.execute(sql`
      CREATE CONSTRAINT TRIGGER test_fail_registration AFTER INSERT ON users
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.email LIKE 'doomed-%')
      EXECUTE FUNCTION test_fail_registration()`);
    const jobsBefore = await queryRows<{ n: number }>(app.ctx.db, sql`SELECT count(*)::int AS n FROM jobs`);

    const res = await post('/auth/register/', { email: 'doomed-1@example.com', password: 'plum-orchard-sunrise' });
    expect(res.statusCode).toBe(500);

    const users = await queryRows(app.ctx.db, sql`SELECT id FROM users WHERE email = 'doomed-1@example.com'`);
    const jobsAfter = await queryRows<{ n: number }>(app.ctx.db, sql`SELECT count(*)::int AS n FROM jobs`);
    expect(users).toHaveLength(0);
    expect(jobsAfter[0]?.n).toBe(jobsBefore[0]?.n);

    // the same path without the injected failure commits both
    const ok = await register('survivor@example.com');
    const jobs = await queryRows(app.ctx.db, sql`SELECT id FROM jobs WHERE payload->>'userId' = ${ok.id}`);
    expect(jobs).toHaveLength(1);
  });
});
