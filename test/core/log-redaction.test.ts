// The production logger never writes bound query parameters, tokens, passwords or full emails: this runs the
// failure paths (failing queries, bad logins, reset requests, throttling, a failing job, secrets in URLs)
// with request logging on and every line captured, then scans the raw output for each secret.
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { defineJob, enqueueJob, type JobHandler } from '../../src/core/jobs.js';
import { maskEmail, scrubText } from '../../src/core/log-redact.js';
import type { App } from '../../src/core/module.js';
import { mailsTo, tokenFromMail } from '../factories/mail.js';
import { DEFAULT_PASSWORD, makeUser } from '../factories/users.js';
import { createTestApp, TEST_SECRET } from '../setup/test-app.js';

let raw = '';
const sink = new Writable({
  write(chunk, _encoding, done) {
    raw += String(chunk);
    done();
  },
});
const lines = () =>
  raw
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const QUERY_EMAIL = 'query.victim@example.org';
const QUERY_TOKEN = 'tok_9f8e7d6c5b4a3f2e1d0c';
const URL_TOKEN = 'urlsecret_0a1b2c3d4e5f';
const WEAK_PASSWORD = 'Zq7!kx'; // too short: register and reset refuse it
const GUESS = 'Wrong-Guess-123!';
const FAKE_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiYWJjZGVmIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

let app: App;
const secrets: string[] = [QUERY_EMAIL, QUERY_TOKEN, URL_TOKEN, WEAK_PASSWORD, GUESS, DEFAULT_PASSWORD, FAKE_JWT];

beforeAll(async () => {
  const env = { NODE_ENV: 'production', LOG_LEVEL: 'info', SECRET_KEY: TEST_SECRET, LOGIN_RATE_LIMIT: '2' };
  const logger = createLogger(loadConfig(env), sink);
  app = await createTestApp({
    logger,
    env,
    beforeReady: (a) => {
      a.get('/test/failing-query/', async () => {
        await a.ctx.db.execute(sql`select 1 / 0 where ${QUERY_EMAIL} <> ${QUERY_TOKEN}`);
        return {};
      });
      a.get('/test/duplicate-key/', async () => {
        await a.ctx.db.execute(sql`create temporary table if not exists t_dupe (email text primary key)`);
        await a.ctx.db.execute(sql`insert into t_dupe values (${QUERY_EMAIL}) on conflict do nothing`);
        await a.ctx.db.execute(sql`insert into t_dupe values (${QUERY_EMAIL})`);
        return {};
      });
    },
  });
  (app.ctx.jobs.handlers as Map<string, JobHandler>).set('test.failing_query', async () => {
    await app.ctx.db.execute(sql`select * from users where email = ${QUERY_EMAIL} and 1 / 0 = 1`);
  });
});
afterAll(async () => {
  await app.close();
});

describe('log redaction', () => {
  it('keeps bound parameters, tokens, passwords and full emails out of every failure path', async () => {
    const user = await makeUser(app);
    secrets.push(user.email);
    const post = (url: string, payload: object, remoteAddress = '10.7.0.1') =>
      app.inject({ method: 'POST', url: `/api/v1${url}`, payload, remoteAddress });

    expect((await app.inject({ method: 'GET', url: '/test/failing-query/' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/test/duplicate-key/' })).statusCode).toBe(500);
    expect((await post('/auth/login/', { email: user.email, password: GUESS })).statusCode).toBe(401);
    expect((await post('/auth/login/', { email: user.email, password: GUESS })).statusCode).toBe(401);
    expect((await post('/auth/login/', { email: user.email, password: DEFAULT_PASSWORD })).statusCode).toBe(429);
    expect((await post('/auth/register/', { email: QUERY_EMAIL, password: WEAK_PASSWORD })).statusCode).toBe(400);
    expect((await post('/auth/token/refresh/', { refresh: FAKE_JWT })).statusCode).toBe(401);
    expect((await post('/auth/password-reset/', { email: user.email })).statusCode).toBe(202);
    await app.ctx.jobs.runDue();
    const resetToken = tokenFromMail((await mailsTo(app, user.email))[0] as Parameters<typeof tokenFromMail>[0]);
    secrets.push(resetToken);
    const confirm = await post('/auth/password-reset/confirm/', { token: `${resetToken}x`, new_password: WEAK_PASSWORD });
    expect(confirm.statusCode).toBe(400);
    const withQuery = `/api/v1/auth/verify-email/?token=${URL_TOKEN}&email=${encodeURIComponent(QUERY_EMAIL)}`;
    await app.inject({ method: 'GET', url: withQuery, headers: { authorization: `Bearer ${FAKE_JWT}` } });
    await enqueueJob(app.ctx.db, defineJob('test.failing_query'), {}, { maxAttempts: 1 });
    await app.ctx.jobs.runDue();
    // a service logging the raw error object without a message of its own
    const failure = await app.ctx.db.execute(sql`select ${QUERY_TOKEN}::int`).catch((error: unknown) => error);
    app.ctx.log.error(failure as Error);
    app.ctx.log.warn({ err: failure, email: QUERY_EMAIL, token: QUERY_TOKEN }, `lookup for ${QUERY_EMAIL} failed`);

    // the failures were logged (so the scan below is not vacuous), with the SQL but not its values
    const logged = lines();
    const unhandled = logged.filter((l) => l.msg === 'unhandled error');
    expect(unhandled.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(unhandled)).toContain('Failed query: select 1 / 0');
    expect(logged.some((l) => l.msg === 'job failed')).toBe(true);
    expect(logged.some((l) => l.msg === 'incoming request')).toBe(true);
    expect(raw).toContain(maskEmail(QUERY_EMAIL));
    for (const secret of secrets) expect(raw, `log output contains ${secret}`).not.toContain(secret);
    expect(raw).not.toMatch(/params: (?!\[redacted\])/);
  });
});

describe('scrubText', () => {
  it('masks emails, JWTs, bearer tokens, URL secrets and PostgreSQL key details', () => {
    expect(scrubText('mail to jane.doe@example.com now')).toBe('mail to j***@example.com now');
    expect(scrubText(`Authorization: Bearer ${FAKE_JWT}`)).not.toContain(FAKE_JWT);
    expect(scrubText('/x/?token=abc123&page=2')).toBe('/x/?token=[redacted]&page=2');
    expect(scrubText('Key (email)=(jane@example.com) already exists.')).toBe('Key (email)=([redacted]) already exists.');
    expect(scrubText('Failed query: select $1\nparams: secret-value', ['secret-value'])).not.toContain('secret-value');
  });
});
