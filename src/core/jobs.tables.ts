import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The transactional outbox and job store in one: a row is written in the same transaction as the change
 * that causes it, then run (in-process or by workers) with retries; rows that exhaust their attempts stay
 * here with status `dead` as the dead-letter store.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().$type<Record<string, unknown>>(),
    status: text('status').notNull().default('pending').$type<JobStatus>(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    dedupeKey: text('dedupe_key').unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** W3C traceparent of the request (or job) that enqueued it, when tracing is on (core/telemetry-spans.ts). */
    traceParent: text('trace_parent'),
  },
  (t) => [
    check('jobs_status_check', sql`${t.status} in ('pending', 'running', 'done', 'dead')`),
    index('jobs_due_idx').on(t.runAt).where(sql`${t.status} in ('pending', 'running')`),
    index('jobs_type_idx').on(t.type, t.status),
    // staff job lists by status, newest first, and the dashboard's counts of pending/dead jobs
    index('jobs_status_updated_idx').on(t.status, t.updatedAt),
  ],
);

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';
export type JobRow = typeof jobs.$inferSelect;
