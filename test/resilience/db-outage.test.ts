// PostgreSQL outage inside one API process: the app's pool goes through a fault proxy that the test cuts.
// Requests get 503 + Retry-After (never 500, never a hang), transactions whose connection died included,
// the process survives the connections' 'error' events, and the pool recovers once the server is back.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/core/db.js';
import type { App } from '../../src/core/module.js';
import { DEFAULT_PASSWORD, makeUser } from '../factories/users.js';
import { createTestApp, openTestDatabase } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from '../support/fault-proxy.js';
import { databaseUrlOf } from '../support/processes.js';

const databaseUrl = process.env.DATABASE_URL;

describe.skipIf(!databaseUrl)('PostgreSQL outage (skipped: needs DATABASE_URL; PGlite runs in-process)', () => {
  let owner: Database;
  let proxied: Database;
  let proxy: FaultProxy;
  let app: App;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    owner = await openTestDatabase();
    proxy = await startFaultProxy(targetOf(databaseUrl as string, 5432));
    const url = await databaseUrlOf(owner.db, proxy.url(databaseUrl as string));
    proxied = await openDatabase({ url, poolSize: 8, connectTimeoutMs: 1000 });
    app = await createTestApp({
      database: proxied,
      env: { NODE_ENV: 'development', UNAVAILABLE_RETRY_AFTER: '7' },
      beforeReady(scope) {
        // a checkout-like transaction that holds its connection for a while
        scope.post('/test/slow-transaction', async () =>
          scope.ctx.db.transaction(async (tx) => {
            await tx.execute(sql`SELECT 1`);
            await tx.execute(sql`SELECT pg_sleep(0.6)`);
            return { ok: true };
          }),
        );
        scope.get('/test/bad-sql', async () =>
          scope.ctx.db.execute(sql`SELECT * FROM no_such_table WHERE secret = ${'p4ram-value'}`),
        );
      },
    });
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await proxy?.restore();
    await app?.close();
    await proxy?.close();
    await owner?.close();
  });

  it('answers 503 problem+json with Retry-After while the database is cut, and recovers by itself', async () => {
    const user = await makeUser(app);
    const login = () =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email: user.email, password: DEFAULT_PASSWORD } });
    expect((await login()).statusCode).toBe(200);
    await proxy.cut();
    const res = await login();
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(res.body).not.toMatch(/select|users|example\.com/i);
    const ready = await app.inject({ method: 'GET', url: '/ready/' });
    expect(ready.statusCode).toBe(503);
    await proxy.restore();
    expect((await login()).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready/' })).statusCode).toBe(200);
  });

  it('answers 503 for transactions whose connection died mid-way, and the process survives', async () => {
    const pending = Array.from({ length: 6 }, () => app.inject({ method: 'POST', url: '/test/slow-transaction' }));
    await new Promise((r) => setTimeout(r, 250));
    await proxy.cut();
    const results = await Promise.all(pending);
    await proxy.restore();
    expect(results.map((r) => r.statusCode)).toEqual(Array(6).fill(503));
    for (const r of results) expect(r.headers['retry-after']).toBeDefined();
    expect(uncaught).toEqual([]);
    const again = await app.inject({ method: 'POST', url: '/test/slow-transaction' });
    expect(again.statusCode).toBe(200);
  });

  it('keeps SQL text and bound parameters out of error bodies, even in development', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/bad-sql' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('no_such_table');
    expect(res.body).not.toContain('p4ram-value');
  });
});
