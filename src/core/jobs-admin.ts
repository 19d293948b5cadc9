// Staff views of the job store (the outbox/dead-letter table in jobs.tables.ts): list and read jobs, count
// them for the dashboard, and put a dead or failing job back in the queue. Kept apart from jobs.ts, which
// holds the runner.
import { and, count, desc, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { type JobRow, jobs } from './jobs.tables.js';

/** `failed` is not a stored status: a pending job that failed at least once and waits for its retry. */
export const JOB_STATUS_FILTERS = ['failed', 'dead', 'pending', 'running', 'done'] as const;
export type JobStatusFilter = (typeof JOB_STATUS_FILTERS)[number];

export interface JobListFilter {
  status?: JobStatusFilter;
  type?: string;
}

function conditions(filter: JobListFilter): SQL | undefined {
  const where: SQL[] = [];
  if (filter.status === 'failed') where.push(eq(jobs.status, 'pending'), isNotNull(jobs.lastError));
  else if (filter.status) where.push(eq(jobs.status, filter.status));
  if (filter.type) where.push(eq(jobs.type, filter.type));
  return where.length ? and(...where) : undefined;
}

/** Jobs newest-changed first. */
export async function listJobs(
  db: Db,
  filter: JobListFilter,
  page: { limit: number; offset: number },
): Promise<{ count: number; rows: JobRow[] }> {
  const where = conditions(filter);
  const [[total], rows] = await Promise.all([
    db.select({ n: count() }).from(jobs).where(where),
    db.select().from(jobs).where(where).orderBy(desc(jobs.updatedAt), desc(jobs.id)).limit(page.limit).offset(page.offset),
  ]);
  return { count: Number(total?.n ?? 0), rows };
}

export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export interface JobCounts {
  failed: number;
  dead: number;
  pending: number;
}

/** Dashboard counts in one statement; done rows are not scanned (jobs_status_updated_idx). */
export async function countJobs(db: Db): Promise<JobCounts> {
  const [row] = await db
    .select({
      failed: sql<number>`(count(*) filter (where ${jobs.status} = 'pending' and ${jobs.lastError} is not null))::int`,
      dead: sql<number>`(count(*) filter (where ${jobs.status} = 'dead'))::int`,
      pending: sql<number>`(count(*) filter (where ${jobs.status} = 'pending'))::int`,
    })
    .from(jobs)
    .where(sql`${jobs.status} in ('pending', 'dead')`);
  return { failed: Number(row?.failed ?? 0), dead: Number(row?.dead ?? 0), pending: Number(row?.pending ?? 0) };
}

/** A job staff may send back to the queue: dead-lettered, or pending after a failure (skip the backoff). */
export const isRetryable = (job: Pick<JobRow, 'status' | 'lastError'>) =>
  job.status === 'dead' || (job.status === 'pending' && job.lastError !== null);

/**
 * Makes a dead or failed job due now with a fresh attempt budget. The condition is re-checked in the UPDATE,
 * so a job a runner claimed in between is left alone (undefined is returned).
 */
export async function retryJob(db: Db, id: string): Promise<JobRow | undefined> {
  const [row] = await db
    .update(jobs)
    .set({
      status: 'pending',
      attempts: 0,
      runAt: sql`now()`,
      lastError: null,
      finishedAt: null,
      lockedUntil: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobs.id, id), sql`(${jobs.status} = 'dead' or (${jobs.status} = 'pending' and ${jobs.lastError} is not null))`))
    .returning();
  return row;
}
