import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineJob, enqueueJob, type JobHandler } from '../../src/core/jobs.js';
import { jobs } from '../../src/core/jobs.tables.js';
import { type AmqpJobs, startAmqpJobs } from '../../src/core/jobs-amqp.js';
import type { App } from '../../src/core/module.js';
import { createTestApp } from '../setup/test-app.js';

const amqpUrl = process.env.AMQP_URL;

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(amqpUrl && process.env.DATABASE_URL)('jobs through RabbitMQ', () => {
  let app: App;
  let transport: AmqpJobs;
  const runs = new Map<string, number>();
  const queue = `emporium.test.${randomUUID()}`;

  beforeAll(async () => {
    app = await createTestApp();
    const handlers = app.ctx.jobs.handlers as Map<string, JobHandler>;
    handlers.set('test.amqp', async (job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    });
    handlers.set('test.amqp_fail', async () => {
      throw new Error('nope');
    });
    transport = await startAmqpJobs({
      url: amqpUrl as string,
      db: app.ctx.db,
      runner: app.ctx.jobs,
      log: app.ctx.log,
      queue,
      pollIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await transport?.stop();
    await app?.close();
    const connection = await amqp.connect(amqpUrl as string);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await connection.close();
  });

  it('relays committed outbox rows to RabbitMQ and a consumer runs each once', async () => {
    const ids = await app.ctx.db.transaction(async (tx) => {
      const created = [];
      for (let n = 0; n < 10; n++) created.push(await enqueueJob(tx, defineJob<{ n: number }>('test.amqp'), { n }));
      return created;
    });
    await until(async () => {
      const rows = await app.ctx.db
        .select()
        .from(jobs)
        .where(inArray(jobs.id, ids as string[]));
      return rows.every((r) => r.status === 'done');
    }, 'jobs done');
    expect(ids.map((id) => runs.get(id as string))).toEqual(Array(10).fill(1));
  });

  it('puts a failing job back in the table with a backoff instead of losing it', async () => {
    const id = (await enqueueJob(app.ctx.db, defineJob('test.amqp_fail'), {})) as string;
    await until(async () => {
      const [row] = await app.ctx.db.select().from(jobs).where(eq(jobs.id, id));
      return row?.attempts === 1 && row.status === 'pending';
    }, 'retry scheduled');
    const [row] = await app.ctx.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row?.lastError).toContain('nope');
    expect(row?.runAt.getTime()).toBeGreaterThan(Date.now());
  });
});
