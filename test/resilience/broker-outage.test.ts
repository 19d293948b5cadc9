// RabbitMQ outage and a worker crash, with a real worker process between a fault proxy and the broker and
// an SMTP server run by the test. Orders are placed in this process (the API writes outbox rows only).
//  - broker cut ~10 s while orders are placed: the worker reconnects by itself and every confirmation
//    email arrives exactly once;
//  - a worker SIGKILLed while sending: the job completes once on another worker.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../src/core/jobs.tables.js';
import type { App } from '../../src/core/module.js';
import { makeProduct } from '../factories/catalog.js';
import { placeOrder } from '../factories/orders.js';
import { makeUser } from '../factories/users.js';
import { createTestApp, TEST_SECRET } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from '../support/fault-proxy.js';
import { type Child, databaseUrlOf, killAll, spawnEntry, until, withOutput } from '../support/processes.js';
import { createVhost } from '../support/rabbit-vhost.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';

const databaseUrl = process.env.DATABASE_URL;
const amqpUrl = process.env.AMQP_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a test body and prints the children's output if it fails. */
describe.skipIf(!databaseUrl || !amqpUrl)('RabbitMQ outage and worker crash (skipped: needs DATABASE_URL and AMQP_URL)', () => {
  let app: App;
  let vhost: ReturnType<typeof createVhost>;
  let proxy: FaultProxy;
  let smtp: SmtpSink;
  let workerEnv: Record<string, string>;
  let first: Child;
  const slowEmail = `slow-${randomBytes(3).toString('hex')}@example.com`;

  beforeAll(async () => {
    vhost = createVhost(amqpUrl as string);
    proxy = await startFaultProxy(targetOf(amqpUrl as string, 5672));
    smtp = await startSmtpSink({ holdFirstTo: slowEmail, holdMs: 30_000 });
    app = await createTestApp({ env: { AMQP_URL: vhost.url, JOBS_IN_PROCESS: 'false' } });
    workerEnv = {
      DATABASE_URL: await databaseUrlOf(app.ctx.db),
      AMQP_URL: proxy.url(vhost.url),
      SMTP_URL: smtp.url,
      SECRET_KEY: TEST_SECRET,
      HOST: '127.0.0.1',
      OPS_PORT: '0',
      MIGRATE_ON_START: 'false',
      JOB_POLL_INTERVAL_MS: '200',
      AMQP_RECONNECT_INITIAL_MS: '100',
      AMQP_RECONNECT_MAX_MS: '1000',
      AMQP_GIVE_UP_AFTER_MS: '60000',
      JOB_LOCK_SECONDS: '3',
    };
    first = spawnEntry('worker-1', 'worker', workerEnv);
  });
  afterAll(async () => {
    await killAll();
    await proxy?.close();
    await smtp?.close();
    await app?.close();
    vhost?.remove();
  });

  it(
    'delivers every confirmation exactly once across a 10 s broker cut, without a restart',
    () =>
      withOutput(async () => {
        await first.waitFor(/RabbitMQ connected/);
        const opsPort = await first.port();
        const product = await makeProduct(app, { variants: [{ stockQuantity: 1000 }] });
        const variantId = product.variants[0]?.id as string;
        const numbers: string[] = [];
        const order = async () => {
          const placed = await placeOrder(app, await makeUser(app), [{ variantId }]);
          numbers.push(placed.order_number);
        };
        for (let i = 0; i < 3; i++) await order();

        await proxy.cut();
        const cutAt = Date.now();
        for (let i = 0; i < 3; i++) await order();
        await until(async () => (await fetch(`http://127.0.0.1:${opsPort}/ready/`)).status === 503, 'worker not ready');
        const ready = (await (await fetch(`http://127.0.0.1:${opsPort}/ready/`)).json()) as { checks: { broker: string } };
        expect(ready.checks.broker).toMatch(/^down/);
        await sleep(Math.max(0, 10_000 - (Date.now() - cutAt)));
        await proxy.restore();
        const restoredAt = Date.now();
        for (let i = 0; i < 2; i++) await order();

        const confirmations = (n: string) => smtp.received.filter((m) => m.subject.includes(n)).length;
        await until(() => numbers.every((n) => confirmations(n) >= 1), 'every confirmation', 40_000);
        const reconnected = JSON.parse(await first.waitFor(/RabbitMQ reconnected/)) as { time: number };
        console.info(`[measure] worker reconnected ${reconnected.time - restoredAt} ms after the broker returned`);
        await sleep(1500); // room for a duplicate to show up
        expect(numbers.map(confirmations)).toEqual(numbers.map(() => 1));
        expect(first.exitCode).toBeNull();
        expect((await fetch(`http://127.0.0.1:${opsPort}/ready/`)).status).toBe(200);
        const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
        expect(metrics).toMatch(/jobs_finished_total\{type="orders.send_email",outcome="done"\} [1-9]/);
        expect(first.count(/"msg":"job finished"/)).toBeGreaterThanOrEqual(numbers.length);
      }),
    240_000,
  );

  it(
    'completes a job once on another worker when the one running it is SIGKILLed',
    () =>
      withOutput(async () => {
        const product = await makeProduct(app, { variants: [{ stockQuantity: 1000 }] });
        const user = await makeUser(app, { email: slowEmail });
        const placed = await placeOrder(app, user, [{ variantId: product.variants[0]?.id as string }]);
        await smtp.held; // worker 1 is inside the job, talking to the mail server
        const second = spawnEntry('worker-2', 'worker', workerEnv);
        await second.waitFor(/RabbitMQ connected/);
        await first.kill('SIGKILL');

        const mails = () => smtp.received.filter((m) => m.to === slowEmail);
        await until(() => mails().length >= 1, 'the confirmation from the second worker', 40_000);
        await sleep(1500);
        expect(mails()).toHaveLength(1);
        expect(mails()[0]?.subject).toContain(placed.order_number);
        const [row] = await app.ctx.db
          .select()
          .from(jobs)
          .where(sql`${jobs.type} = 'orders.send_email' AND ${jobs.payload}->>'orderId' = ${placed.id}`);
        expect(row?.status).toBe('done');
        // 2 when the relay re-claimed the lapsed lease; 1 when the redelivered message found it lapsed first
        expect([1, 2]).toContain(row?.attempts);
        expect(second.count(new RegExp(`"jobId":"${row?.id}".*job finished`))).toBe(1);
      }),
    240_000,
  );
});
