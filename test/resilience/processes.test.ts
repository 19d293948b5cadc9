// The whole production topology as real processes — API, worker and two schedulers — each reaching
// PostgreSQL through one fault proxy (RabbitMQ in a vhost of the test's own, mail to an SMTP sink):
//  - two schedulers: SIGKILL the active one, the standby takes over within seconds, each period's
//    heartbeat job is enqueued and run exactly once;
//  - PostgreSQL cut for ~4 s under checkout load: 503 + Retry-After during the cut, never a 500, no process
//    dies, stock and orders stay consistent, and afterwards every process works again (checkout through
//    the API, confirmation emails from the worker, periodic jobs from the scheduler).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/db.js';
import { HEARTBEAT_JOB } from '../../src/core/jobs.js';
import type { App } from '../../src/core/module.js';
import { makeProduct } from '../factories/catalog.js';
import { addToCart, SHIPPING_ADDRESS } from '../factories/orders.js';
import { authHeader, makeUser } from '../factories/users.js';
import { createTestApp, TEST_SECRET } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from '../support/fault-proxy.js';
import { type Child, databaseUrlOf, killAll, spawnEntry, until, withOutput } from '../support/processes.js';
import { createVhost } from '../support/rabbit-vhost.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';

const databaseUrl = process.env.DATABASE_URL;
const amqpUrl = process.env.AMQP_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function role(child: Child): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${await child.port()}/ready/`);
    return ((await res.json()) as { role: string }).role;
  } catch {
    return 'unreachable';
  }
}

describe.skipIf(!databaseUrl || !amqpUrl)(
  'processes through a PostgreSQL outage (skipped: needs DATABASE_URL and AMQP_URL)',
  () => {
    let app: App;
    let vhost: ReturnType<typeof createVhost>;
    let proxy: FaultProxy;
    let smtp: SmtpSink;
    let env: Record<string, string>;
    let api: Child;
    let worker: Child;
    const schedulers: Child[] = [];
    let base: string;

    const heartbeats = () =>
      queryRows<{ dedupe_key: string; status: string; attempts: number; created_ms: number }>(
        app.ctx.db,
        sql`SELECT dedupe_key, status, attempts, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
          FROM jobs WHERE type = ${HEARTBEAT_JOB} ORDER BY created_at`,
      );

    beforeAll(
      () =>
        withOutput(async () => {
          vhost = createVhost(amqpUrl as string);
          proxy = await startFaultProxy(targetOf(databaseUrl as string, 5432));
          smtp = await startSmtpSink();
          app = await createTestApp({ env: { AMQP_URL: vhost.url, JOBS_IN_PROCESS: 'false' } });
          env = {
            DATABASE_URL: await databaseUrlOf(app.ctx.db, proxy.url(databaseUrl as string)),
            AMQP_URL: vhost.url,
            SMTP_URL: smtp.url,
            SECRET_KEY: TEST_SECRET,
            HOST: '127.0.0.1',
            PORT: '0',
            OPS_PORT: '0',
            MIGRATE_ON_START: 'false',
            JOBS_IN_PROCESS: 'false',
            API_RATE_LIMIT: '1000000',
            DATABASE_CONNECT_TIMEOUT_MS: '1000',
            UNAVAILABLE_RETRY_AFTER: '2',
            JOB_POLL_INTERVAL_MS: '200',
            JOB_LOCK_SECONDS: '3',
            SCHEDULER_TICK_MS: '300',
            SCHEDULER_LOCK_CHECK_MS: '500',
            SCHEDULER_HEARTBEAT_SECONDS: '2',
          };
          api = spawnEntry('api', 'server', env);
          worker = spawnEntry('worker', 'worker', env);
          schedulers.push(spawnEntry('scheduler-1', 'scheduler', env), spawnEntry('scheduler-2', 'scheduler', env));
          base = `http://127.0.0.1:${await api.port()}`;
          await worker.waitFor(/RabbitMQ connected/);
          for (const s of schedulers) await s.waitFor(/scheduler active|standing by/);
        }),
      400_000,
    );
    afterAll(async () => {
      await killAll();
      await proxy?.close();
      await smtp?.close();
      await app?.close();
      vhost?.remove();
    });

    it(
      'hands leadership to the standby when the active scheduler is killed; each period runs once',
      () =>
        withOutput(async () => {
          const roles = await Promise.all(schedulers.map(role));
          expect(roles.sort()).toEqual(['active', 'standby']);
          await until(async () => (await heartbeats()).some((h) => h.status === 'done'), 'a heartbeat run by the worker');
          const active = (await role(schedulers[0] as Child)) === 'active' ? 0 : 1;
          const killed = schedulers[active] as Child;
          const survivor = schedulers[1 - active] as Child;
          await killed.kill('SIGKILL');
          const killedAt = Date.now();
          await until(async () => (await role(survivor)) === 'active', 'the standby to take over', 15_000);
          console.info(`[measure] standby active ${Date.now() - killedAt} ms after the active scheduler was killed`);
          await until(
            async () => (await heartbeats()).some((h) => h.created_ms > killedAt && h.status === 'done'),
            'a heartbeat enqueued by the new active scheduler',
          );
          const rows = await heartbeats();
          expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(rows.length);
          for (const row of rows.filter((r) => r.status === 'done')) expect(row.attempts).toBe(1);
          // a fresh standby for the next test
          schedulers[active] = spawnEntry('scheduler-3', 'scheduler', env);
          await (schedulers[active] as Child).waitFor(/standing by/);
        }),
      200_000,
    );

    it(
      'answers 503 during a database cut under checkout load, and every process recovers',
      () =>
        withOutput(async () => {
          const stock = 30;
          const product = await makeProduct(app, { variants: [{ stockQuantity: stock }] });
          const variantId = product.variants[0]?.id as string;
          const shoppers = [];
          for (let i = 0; i < 24; i++) {
            const user = await makeUser(app);
            const headers = await authHeader(app, user);
            await addToCart(app, headers, variantId, 1);
            shoppers.push(headers);
          }
          const checkout = (headers: Record<string, string>) =>
            fetch(`${base}/api/v1/orders/`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ shipping_address: SHIPPING_ADDRESS }),
            });
          const results: Array<{ status: number; retryAfter: string | null }> = [];
          const fire = (headers: Record<string, string>) =>
            checkout(headers).then((r) => results.push({ status: r.status, retryAfter: r.headers.get('retry-after') }));

          const first = shoppers.slice(0, 12).map(fire);
          await sleep(30);
          await proxy.cut();
          const during = shoppers.slice(12).map(fire);
          await Promise.all([...first, ...during]);
          await sleep(4000);
          await proxy.restore();
          const restoredAt = Date.now();

          expect(results.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
          const unavailable = results.filter((r) => r.status === 503);
          expect(unavailable.length).toBeGreaterThan(0);
          for (const r of unavailable) expect(r.retryAfter).toBe('2');
          for (const child of [api, worker, ...schedulers]) expect(child.exitCode, child.name).toBeNull();

          // clients retry after Retry-After: the API and its pool are back
          await until(async () => (await fetch(`${base}/ready/`)).status === 200, 'the API ready again', 20_000);
          console.info(`[measure] API ready ${Date.now() - restoredAt} ms after the database returned`);
          await until(async () => (await Promise.all(schedulers.map(role))).includes('active'), 'an active scheduler');
          console.info(`[measure] a scheduler active again ${Date.now() - restoredAt} ms after the database returned`);
          for (const headers of shoppers) {
            const res = await checkout(headers);
            expect(res.status, await res.clone().text()).not.toBeGreaterThanOrEqual(500);
          }
          const [counts] = await queryRows<{ ordered: string; left: number; orders: string }>(
            app.ctx.db,
            sql`SELECT coalesce(sum(oi.quantity), 0) AS ordered, count(DISTINCT oi.order_id) AS orders,
                   (SELECT stock_quantity FROM product_variants WHERE id = ${variantId}) AS left
            FROM order_items oi WHERE oi.variant_id = ${variantId}`,
          );
          expect(Number(counts?.ordered) + Number(counts?.left)).toBe(stock);
          expect(Number(counts?.orders)).toBe(shoppers.length); // every shopper ends with exactly one order

          // the worker sends every confirmation, once; the scheduler's periodic jobs fire again
          const numbers = await queryRows<{ order_number: string }>(
            app.ctx.db,
            sql`SELECT DISTINCT o.order_number FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE oi.variant_id = ${variantId}`,
          );
          const confirmations = (n: string) => smtp.received.filter((m) => m.subject.includes(n)).length;
          await until(() => numbers.every((n) => confirmations(n.order_number) >= 1), 'every confirmation', 40_000);
          await sleep(1000);
          expect(numbers.map((n) => confirmations(n.order_number))).toEqual(numbers.map(() => 1));
          await until(
            async () => (await heartbeats()).some((h) => h.created_ms > restoredAt && h.status === 'done'),
            'a periodic job after the outage',
          );
          const roles = await Promise.all(schedulers.map(role));
          expect(roles.sort()).toEqual(['active', 'standby']);
        }),
      200_000,
    );
  },
);
