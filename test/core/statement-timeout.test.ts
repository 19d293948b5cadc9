// Every pooled PostgreSQL connection carries statement_timeout, so no request can hold a backend for long; a
// statement cut off by it answers 503 problem+json (never a hang, never a bare 500). PGlite cannot interrupt
// a running statement (no timers in WASM), so this runs on PostgreSQL only; there the queries are bounded.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { App } from '../../src/core/module.js';
import { createTestApp, openTestDatabase } from '../setup/test-app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.runIf(onPostgres)('statement timeout on PostgreSQL', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({
      database: await openTestDatabase({ statementTimeoutMs: 300 }),
      beforeReady: (a) => {
        a.get('/test/slow-query/', async () => {
          await a.ctx.db.execute(sql`select pg_sleep(30)`);
          return { ok: true };
        });
      },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('cuts off a long statement and answers 503 query_timeout with Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/slow-query/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ code: 'query_timeout', status: 503 });
  });

  it('shows the timeout on every pooled connection and keeps serving normal requests', async () => {
    const rows = (await app.ctx.db.execute(sql`show statement_timeout`)) as unknown as { rows: { statement_timeout: string }[] };
    expect(rows.rows[0]?.statement_timeout).toBe('300ms');
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/' })).statusCode).toBe(200);
  });
});

describe('DATABASE_STATEMENT_TIMEOUT_MS', () => {
  it('defaults to 15 seconds and refuses a bad value naming the variable', () => {
    expect(loadConfig({}).databaseStatementTimeoutMs).toBe(15000);
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).databaseStatementTimeoutMs).toBe(0);
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });
});
