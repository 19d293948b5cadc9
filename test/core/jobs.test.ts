import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner, defineJob, enqueueJob, type Job, type JobHandler } from '../../src/core/jobs.js';
import { jobs } from '../../src/core/jobs.tables.js';
import { enqueueScheduled } from '../../src/core/scheduler.js';
import { useTestApp } from '../setup/test-app.js';

const seen: Job[] = [];
let failuresLeft = 0;

const { app } = useTestApp();
beforeAll(async () => {
  const handlers = app.ctx.jobs.handlers as Map<string, JobHandler>;
  handlers.set('test.record', async (job) => {
    seen.push(job);
  });
  handlers.set('test.flaky', async () => {
    if (failuresLeft-- > 0) throw new Error('transient');
  });
  handlers.set('test.broken', async () => {
    throw new Error('always broken');
  });
});

const jobRow = async (id: string) => (await app.ctx.db.select().from(jobs).where(eq(jobs.id, id)))[0];

describe('job outbox and runner', () => {
  it('runs a job enqueued in a committed transaction', async () => {
    const id = await app.ctx.db.transaction((tx) => enqueueJob(tx, defineJob<{ n: number }>('test.record'), { n: 1 }));
    expect(await app.ctx.jobs.runDue()).toBeGreaterThanOrEqual(1);
    expect(seen.map((j) => j.id)).toContain(id);
    expect((await jobRow(id as string))?.status).toBe('done');
  });

  it('never sees a job whose transaction rolled back', async () => {
    const before = await app.ctx.db.select({ n: sql<number>`count(*)::int` }).from(jobs);
    await expect(
      app.ctx.db.transaction(async (tx) => {
        await enqueueJob(tx, defineJob<{ n: number }>('test.record'), { n: 2 });
        throw new Error('domain change failed');
      }),
    ).rejects.toThrow('domain change failed');
    const after = await app.ctx.db.select({ n: sql<number>`count(*)::int` }).from(jobs);
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('retries a failing job later with backoff, then succeeds', async () => {
    failuresLeft = 1;
    const id = (await enqueueJob(app.ctx.db, defineJob('test.flaky'), {})) as string;
    await app.ctx.jobs.runDue();
    const failed = await jobRow(id);
    expect(failed?.status).toBe('pending');
    expect(failed?.attempts).toBe(1);
    expect(failed?.lastError).toContain('transient');
    expect(failed?.runAt.getTime()).toBeGreaterThan(Date.now());
    // not due yet: a second pass leaves it alone
    await app.ctx.jobs.runDue();
    expect((await jobRow(id))?.attempts).toBe(1);
    await app.ctx.db
      .update(jobs)
      .set({ runAt: new Date(Date.now() - 1000) })
      .where(eq(jobs.id, id));
    await app.ctx.jobs.runDue();
    expect(await jobRow(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('moves a job that exhausts its attempts to the dead-letter status', async () => {
    const id = (await enqueueJob(app.ctx.db, defineJob('test.broken'), {}, { maxAttempts: 2 })) as string;
    await app.ctx.jobs.runDue();
    await app.ctx.db
      .update(jobs)
      .set({ runAt: new Date(Date.now() - 1000) })
      .where(eq(jobs.id, id));
    await app.ctx.jobs.runDue();
    expect(await jobRow(id)).toMatchObject({ status: 'dead', attempts: 2, lastError: 'Error: always broken' });
  });

  it('sends a job of an unknown type straight to dead', async () => {
    const id = (await enqueueJob(app.ctx.db, defineJob('test.nobody_handles_this'), {})) as string;
    await app.ctx.jobs.runDue();
    expect(await jobRow(id)).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('does not run a job before its run_at', async () => {
    const id = (await enqueueJob(app.ctx.db, defineJob('test.record'), {}, { runAt: new Date(Date.now() + 3600_000) })) as string;
    await app.ctx.jobs.runDue();
    expect((await jobRow(id))?.status).toBe('pending');
  });

  it('ignores a second job with the same dedupe key', async () => {
    const first = await enqueueJob(app.ctx.db, defineJob('test.record'), {}, { dedupeKey: 'once' });
    const second = await enqueueJob(app.ctx.db, defineJob('test.record'), {}, { dedupeKey: 'once' });
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
  });

  it('enqueues a periodic job once per time slot however many schedulers tick', async () => {
    const schedule = [{ job: defineJob('test.record'), everySeconds: 3600 }];
    const now = new Date('2026-01-01T10:15:00Z');
    expect(await enqueueScheduled(app.ctx.db, schedule, now)).toBe(1);
    expect(await enqueueScheduled(app.ctx.db, schedule, new Date('2026-01-01T10:45:00Z'))).toBe(0);
    expect(await enqueueScheduled(app.ctx.db, schedule, new Date('2026-01-01T11:00:00Z'))).toBe(1);
  });

  it.runIf(process.env.DATABASE_URL)('runs each job exactly once with two runners competing', async () => {
    const ran = new Map<string, number>();
    const handlers = new Map<string, JobHandler>([
      [
        'test.count',
        async (job) => {
          ran.set(job.id, (ran.get(job.id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 5));
        },
      ],
    ]);
    const ids = await Promise.all(Array.from({ length: 40 }, () => enqueueJob(app.ctx.db, defineJob('test.count'), {})));
    const runner = () => createJobRunner({ db: app.ctx.db, log: app.ctx.log, handlers, pollIntervalMs: 1000 });
    await Promise.all([runner().runDue(5), runner().runDue(5)]);
    expect(ran.size).toBe(40);
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(ids).size).toBe(40);
  });
});
