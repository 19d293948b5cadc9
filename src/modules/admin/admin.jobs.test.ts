// Background jobs for staff: list by status, read one, retry a dead or failed job (and only those).
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJob } from '../../../test/factories/admin.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { jobs } from '../../core/jobs.tables.js';

let dead: typeof jobs.$inferSelect;
let failed: typeof jobs.$inferSelect;
let done: typeof jobs.$inferSelect;
let waiting: typeof jobs.$inferSelect;
const later = new Date(Date.now() + 3_600_000);

const { app, staff, customer } = useTestApp({ staff: true, customer: true });
beforeAll(async () => {
  // types with no handler and runs in the future: the in-process runner leaves them alone
  dead = await makeJob(app, {
    type: 'test.mail',
    status: 'dead',
    attempts: 8,
    lastError: 'Error: SMTP down',
    payload: { userId: 'u1', resetToken: 'abc' },
    finishedAt: new Date(),
  });
  failed = await makeJob(app, { type: 'test.mail', status: 'pending', attempts: 3, lastError: 'Error: flaky', runAt: later });
  done = await makeJob(app, { type: 'test.other', status: 'done', attempts: 1, finishedAt: new Date() });
  waiting = await makeJob(app, { type: 'test.other', status: 'pending', runAt: later });
});

const get = (url: string, headers: Record<string, string> = staff) => app.inject({ method: 'GET', url, headers });
const retry = (id: string, headers: Record<string, string> = staff) =>
  app.inject({ method: 'POST', url: `/api/v1/admin/jobs/${id}/retry/`, headers });
const rowOf = async (id: string) => (await app.ctx.db.select().from(jobs).where(eq(jobs.id, id)))[0];

describe('admin jobs', () => {
  it('refuses anonymous callers and customers on every job endpoint, changing nothing', async () => {
    for (const url of ['/api/v1/admin/jobs/', `/api/v1/admin/jobs/${dead.id}/`]) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
      expect((await get(url, customer)).statusCode).toBe(403);
    }
    expect((await app.inject({ method: 'POST', url: `/api/v1/admin/jobs/${dead.id}/retry/` })).statusCode).toBe(401);
    expect((await retry(dead.id, customer)).statusCode).toBe(403);
    expect((await rowOf(dead.id))?.status).toBe('dead');
  });

  it('lists dead jobs with their last error, and failed ones (pending after a failure)', async () => {
    const deadPage = (await get('/api/v1/admin/jobs/?status=dead')).json();
    expect(deadPage.count).toBe(1);
    expect(deadPage.results[0]).toMatchObject({
      id: dead.id,
      type: 'test.mail',
      status: 'dead',
      is_failed: true,
      attempts: 8,
      last_error: 'Error: SMTP down',
      payload: { userId: 'u1', resetToken: '[redacted]' },
    });
    expect(deadPage.results[0].payload_summary).toContain('userId=u1');
    const failedPage = (await get('/api/v1/admin/jobs/?status=failed')).json();
    expect(failedPage.results.map((j: { id: string }) => j.id)).toEqual([failed.id]);
    const byType = (await get('/api/v1/admin/jobs/?type=test.other')).json();
    expect(byType.results.map((j: { id: string }) => j.id).sort()).toEqual([done.id, waiting.id].sort());
  });

  it('answers 400 for an unknown status and a bad id, 404 for an unknown job', async () => {
    expect((await get('/api/v1/admin/jobs/?status=exploded')).statusCode).toBe(400);
    expect((await get('/api/v1/admin/jobs/not-a-uuid/')).statusCode).toBe(400);
    expect((await get('/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000/')).statusCode).toBe(404);
    expect((await retry('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('retries a dead job: due now, attempts reset, error cleared', async () => {
    const res = await retry(dead.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: dead.id, status: 'pending', attempts: 0, last_error: null, finished_at: null });
    const row = await rowOf(dead.id);
    expect(row?.status).toBe('pending');
    expect(row?.attempts).toBe(0);
    expect(row?.runAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('retries a failed job without waiting for its backoff', async () => {
    const res = await retry(failed.id);
    expect(res.statusCode).toBe(200);
    expect(new Date(res.json().run_at).getTime()).toBeLessThan(later.getTime() - 60_000);
  });

  it('refuses (409) to retry a done job or a pending one that never failed, changing nothing', async () => {
    for (const job of [done, waiting]) {
      const res = await retry(job.id);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('job_not_retryable');
      const row = await rowOf(job.id);
      expect(row?.status).toBe(job.status);
      expect(row?.runAt.getTime()).toBe(job.runAt.getTime());
    }
  });

  it('a retried job really runs again through the runner', async () => {
    const ran: string[] = [];
    (app.ctx.jobs.handlers as Map<string, (job: { id: string }) => Promise<void>>).set('test.rerun', async (job) => {
      ran.push(job.id);
    });
    const job = await makeJob(app, { type: 'test.rerun', status: 'dead', attempts: 8, lastError: 'Error: x' });
    expect((await retry(job.id)).statusCode).toBe(200);
    await app.ctx.jobs.runDue();
    expect(ran).toContain(job.id);
    expect((await rowOf(job.id))?.status).toBe('done');
  });
});
