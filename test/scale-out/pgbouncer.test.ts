// Behind PgBouncer in transaction mode (Debian's pgbouncer, started by the test on a port of its own): the
// app's pool goes through it (DATABASE_URL), while what needs a session — migrations' advisory lock, LISTEN,
// the scheduler's leader lock — uses DATABASE_DIRECT_URL straight at PostgreSQL. Skipped without
// /usr/sbin/pgbouncer, except in CI (CI=true), where its absence fails.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/core/db.js';
import type { App } from '../../src/core/module.js';
import { startLeaderElection } from '../../src/core/scheduler.js';
import { makeCategory, makeProduct } from '../factories/catalog.js';
import { placeOrder } from '../factories/orders.js';
import { authHeader, makeUser } from '../factories/users.js';
import { createTestApp, openTestDatabase, TEST_SECRET } from '../setup/test-app.js';
import { PGBOUNCER, type PgBouncer, startPgBouncer } from '../support/pgbouncer.js';
import { databaseUrlOf, killAll, spawnEntry, until, withOutput } from '../support/processes.js';

const databaseUrl = process.env.DATABASE_URL;
const installed = fs.existsSync(PGBOUNCER);

describe.runIf(process.env.CI === 'true' && databaseUrl)('PgBouncer in CI', () => {
  it('is installed (.ci/run installs Debian pgbouncer)', () => {
    expect(installed, `${PGBOUNCER} is missing`).toBe(true);
  });
});

describe('prepared statements', () => {
  it('are never named in src/ (a named statement lives in one server session; PgBouncer 1.18 cannot carry it)', () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const named: string[] = [];
    for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      if (/\.prepare\(|\bname:\s*['"`][^'"`]*['"`]\s*,\s*text:/.test(text)) named.push(file);
    }
    expect(named).toEqual([]);
  });
});

/** The first `order_status` event of a live stream (LISTEN runs on the direct URL). */
function firstStatusEvent(baseUrl: string, headers: Record<string, string>) {
  const req = http.get(`${baseUrl}/api/v1/notifications/stream/`, { headers, agent: false });
  const opened = new Promise<void>((resolve, reject) => {
    req.once('response', () => resolve());
    req.once('error', reject);
  });
  const event = new Promise<string>((resolve) => {
    req.once('response', (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const match = /event: order_status\ndata: (.*)\n/.exec(buffer);
        if (match) resolve(match[1] as string);
      });
      res.on('error', () => {});
    });
  });
  req.on('error', () => {});
  return { opened, event, close: () => req.destroy() };
}

describe.skipIf(!databaseUrl || !installed)(
  'behind PgBouncer in transaction mode (skipped: needs DATABASE_URL and pgbouncer)',
  () => {
    let owner: Database;
    let plain: Database; // a second database, without a server-side statement_timeout
    let pooled: Database;
    let bouncer: PgBouncer;
    let app: App;
    let directUrl: string;
    let baseUrl: string;
    const log = pino({ level: 'silent' });

    beforeAll(async () => {
      owner = await openTestDatabase(); // migrated directly: migrations need a session (advisory lock)
      directUrl = await databaseUrlOf(owner.db);
      const name = new URL(directUrl).pathname.slice(1);
      // behind PgBouncer the timeout is the server's: per database (or role), for every new session
      await owner.db.execute(sql.raw(`ALTER DATABASE ${name} SET statement_timeout = '2s'`));
      plain = await openTestDatabase();
      bouncer = await startPgBouncer(directUrl, {
        emporium_pgb: `dbname=${name}`,
        emporium_pgb_one: `dbname=${name} pool_size=1`,
        emporium_pgb_plain: `dbname=${new URL(await databaseUrlOf(plain.db)).pathname.slice(1)}`,
      });
      // DATABASE_STATEMENT_TIMEOUT_MS is set, yet with a direct URL the pool sends no startup parameter
      pooled = await openDatabase({
        url: bouncer.url('emporium_pgb'),
        directUrl,
        poolSize: 10,
        statementTimeoutMs: 15000,
        connectTimeoutMs: 5000,
      });
      app = await createTestApp({
        database: pooled,
        env: { DATABASE_DIRECT_URL: directUrl, SSE_HEARTBEAT: '1s' },
        beforeReady: (a) => {
          a.get('/test/slow-query/', async () => {
            await a.ctx.db.execute(sql`select pg_sleep(30)`);
            return { ok: true };
          });
        },
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(async () => {
      await killAll();
      await app?.close();
      await bouncer?.stop();
      await owner?.close();
      await plain?.close();
    });

    it('refuses a statement_timeout startup parameter, which is why the pool sends none behind it', async () => {
      const withParameter = await openDatabase({ url: bouncer.url('emporium_pgb'), statementTimeoutMs: 1000, poolSize: 1 });
      await expect(withParameter.ping()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
      await withParameter.close();
      const rows = (await app.ctx.db.execute(sql`show statement_timeout`)) as unknown as {
        rows: { statement_timeout: string }[];
      };
      expect(rows.rows[0]?.statement_timeout).toBe('2s'); // the database's own setting
    });

    it('runs migrations on the direct URL (session-level advisory lock)', async () => {
      await expect(app.ctx.database.migrate()).resolves.toBeUndefined();
      expect(app.ctx.database.sessionUrl).toBe(directUrl);
    });

    it('registers, logs in and checks out through PgBouncer', async () => {
      const email = `pgb-${Date.now()}@example.com`;
      const password = 'correct-horse-battery-staple';
      const register = await app.inject({ method: 'POST', url: '/api/v1/auth/register/', payload: { email, password } });
      expect(register.statusCode, register.body).toBe(201);
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email, password } });
      expect(login.statusCode, login.body).toBe(200);
      const product = await makeProduct(app, { variants: [{ stockQuantity: 3 }] });
      const buyer = await makeUser(app);
      const order = await placeOrder(app, buyer, [{ variantId: product.variants[0]!.id, quantity: 2 }]);
      expect(order.status).toBe('pending');
      const detail = await app.inject({ url: `/api/v1/products/${product.slug}/` });
      expect(detail.json().variants[0].stock_quantity).toBe(1);
    });

    it('moves categories under the transaction-scoped advisory lock, one of two crossing moves winning', async () => {
      const staff = await authHeader(app, await makeUser(app, { isStaff: true }));
      const a = await makeCategory(app);
      const b = await makeCategory(app);
      const move = (child: string, parent: string) =>
        app.inject({ method: 'PATCH', url: `/api/v1/products/categories/${child}/`, headers: staff, payload: { parent } });
      const statuses = (await Promise.all([move(a.slug, b.slug), move(b.slug, a.slug)])).map((r) => r.statusCode);
      expect(statuses.sort()).toEqual([200, 400]); // never both (a cycle), never a 500
    });

    it('cuts off a long statement with the server-side statement_timeout (503 query_timeout)', async () => {
      const res = await app.inject({ url: '/test/slow-query/' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'query_timeout' });
    });

    it('delivers the live notification stream (LISTEN on the direct URL)', async () => {
      const user = await makeUser(app);
      const headers = await authHeader(app, user);
      const product = await makeProduct(app);
      const order = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
      const stream = firstStatusEvent(baseUrl, headers);
      await stream.opened;
      await new Promise((r) => setTimeout(r, 200)); // the stream's LISTEN is in place before the change
      const cancel = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
      expect(cancel.statusCode).toBe(200);
      const event = JSON.parse(await Promise.race([stream.event, new Promise<string>((_, no) => setTimeout(no, 5000))]));
      expect(event).toMatchObject({ order_id: order.id, status: 'cancelled' });
      stream.close();
    });

    it('elects one scheduler on the direct URL (through PgBouncer both would lead), and fails over', async () => {
      const elect = (url: string, lockKey: number) => {
        const active = { value: false };
        const election = startLeaderElection({
          url,
          lockKey,
          log,
          checkMs: 100,
          connectTimeoutMs: 2000,
          onActive: () => (active.value = true),
          onInactive: () => (active.value = false),
        });
        return { election, active };
      };
      // why: through PgBouncer the session lock belongs to whichever server connection ran it (one here), so
      // the second scheduler's try-lock succeeds on that same connection as well; and the lock outlives both
      // schedulers (the server connection stays in PgBouncer's pool), hence another key below
      const pooledPair = [elect(bouncer.url('emporium_pgb_one'), 727_098), elect(bouncer.url('emporium_pgb_one'), 727_098)];
      await until(() => pooledPair.every((s) => s.election.role !== 'connecting'), 'pooled schedulers settled', 5000);
      expect(pooledPair.map((s) => s.election.role)).toEqual(['active', 'active']);
      await Promise.all(pooledPair.map((s) => s.election.stop()));

      const direct = [elect(directUrl, 727_099), elect(directUrl, 727_099)];
      await until(() => direct.every((s) => s.election.role !== 'connecting'), 'schedulers settled', 5000);
      expect(direct.map((s) => s.election.role).sort()).toEqual(['active', 'standby']);
      const leader = direct.find((s) => s.election.role === 'active')!;
      const standby = direct.find((s) => s !== leader)!;
      await leader.election.stop(); // its session ends: the server releases the lock
      await until(() => standby.election.role === 'active', 'standby took over', 5000);
      expect(standby.active.value).toBe(true);
      await standby.election.stop();
    });

    const processEnv = () => ({
      DATABASE_URL: bouncer.url('emporium_pgb'),
      DATABASE_DIRECT_URL: directUrl,
      SECRET_KEY: TEST_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      OPS_PORT: '0',
      MIGRATE_ON_START: 'false',
      API_RATE_LIMIT: '1000000',
      SCHEDULER_TICK_MS: '300',
      SCHEDULER_LOCK_CHECK_MS: '300',
      SCHEDULER_HEARTBEAT_SECONDS: '1',
    });

    it('starts the compiled API through PgBouncer: migrations direct, a warning without a server-side timeout', async () => {
      await withOutput(async () => {
        const api = spawnEntry('api', 'server', {
          ...processEnv(),
          DATABASE_URL: bouncer.url('emporium_pgb_plain'),
          DATABASE_DIRECT_URL: await databaseUrlOf(plain.db),
          MIGRATE_ON_START: 'true',
        });
        const base = `http://127.0.0.1:${await api.port()}`;
        expect((await fetch(`${base}/api/v1/products/`)).status).toBe(200);
        expect(api.count(/the pool cannot set statement_timeout and the server sets none/)).toBe(1);
        await api.kill();
      });
    }, 120_000);

    it('runs two compiled schedulers with the lock on DATABASE_DIRECT_URL: one active, enqueueing', async () => {
      await withOutput(async () => {
        const env = processEnv();
        const schedulers = [spawnEntry('scheduler-1', 'scheduler', env), spawnEntry('scheduler-2', 'scheduler', env)];
        for (const s of schedulers) await s.waitFor(/scheduler active|standing by/);
        expect(schedulers.map((s) => s.count(/scheduler active/)).sort()).toEqual([0, 1]);
        const heartbeats = async () => {
          const result = (await owner.db.execute(
            sql`select count(*)::int as n from jobs where type = 'ops.heartbeat'`,
          )) as unknown as {
            rows: { n: number }[];
          };
          return result.rows[0]?.n ?? 0;
        };
        await until(async () => (await heartbeats()) > 0, 'a heartbeat job enqueued by the active scheduler', 10_000);
        await Promise.all(schedulers.map((s) => s.kill()));
      });
    }, 120_000);
  },
);
