// Background jobs for staff: list/read the job store and retry a dead or failing job (presented by admin.present.ts).
import type { AppContext } from '../../core/context.js';
import { Conflict, NotFound } from '../../core/errors.js';
import { findJob, isRetryable, type JobListFilter, listJobs, retryJob } from '../../core/jobs-admin.js';
import type { PageRequest } from '../../core/pagination.js';

export async function listJobPage(ctx: AppContext, filter: JobListFilter, page: PageRequest) {
  const { count, rows } = await listJobs(ctx.db, filter, { limit: page.pageSize, offset: page.offset });
  return { count, rows };
}

export async function getJob(ctx: AppContext, id: string) {
  const row = await findJob(ctx.db, id);
  if (!row) throw new NotFound('No Job matches the given query.');
  return row;
}

/** Dead or failed -> due now with a fresh attempt budget; 409 for a job that is done, running or fine. */
export async function retryJobNow(ctx: AppContext, id: string) {
  const row = await retryJob(ctx.db, id);
  if (!row) {
    const existing = await findJob(ctx.db, id);
    if (!existing) throw new NotFound('No Job matches the given query.');
    throw new Conflict(
      isRetryable(existing)
        ? 'The job changed while retrying; reload it.'
        : `Only dead or failed jobs can be retried; this one is ${existing.status}.`,
      'job_not_retryable',
      { current_status: existing.status },
    );
  }
  ctx.jobs.wake();
  return row;
}
