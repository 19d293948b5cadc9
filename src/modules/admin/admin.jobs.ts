// Background jobs for staff: list/read the job store and retry a dead or failing job.
import type { AppContext } from '../../core/context.js';
import { Conflict, NotFound } from '../../core/errors.js';
import type { JobRow } from '../../core/jobs.tables.js';
import { findJob, isRetryable, type JobListFilter, listJobs, retryJob } from '../../core/jobs-admin.js';
import type { PageRequest } from '../../core/pagination.js';

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key/i;

/** Payload values under secret-looking keys never reach a screen (handlers should not store them anyway). */
function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

function summary(payload: Record<string, unknown>): string {
  const text = Object.entries(payload)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function presentJob(row: JobRow) {
  const payload = redact(row.payload ?? {}) as Record<string, unknown>;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    is_failed: row.lastError !== null && row.status !== 'done',
    payload,
    payload_summary: summary(payload),
    attempts: row.attempts,
    max_attempts: row.maxAttempts,
    last_error: row.lastError,
    run_at: new Date(row.runAt).toISOString(),
    locked_until: iso(row.lockedUntil),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    finished_at: iso(row.finishedAt),
  };
}

export async function listJobPage(ctx: AppContext, filter: JobListFilter, page: PageRequest) {
  const { count, rows } = await listJobs(ctx.db, filter, { limit: page.pageSize, offset: page.offset });
  return { count, results: rows.map(presentJob) };
}

export async function getJob(ctx: AppContext, id: string) {
  const row = await findJob(ctx.db, id);
  if (!row) throw new NotFound('No Job matches the given query.');
  return presentJob(row);
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
  return presentJob(row);
}
