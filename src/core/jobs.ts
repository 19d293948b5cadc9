// Jobs: `enqueueJob` writes an outbox row inside the caller's transaction; the runner claims due rows with
// SKIP LOCKED, runs their handler, and retries failures with exponential backoff until they go `dead`.
// Delivery is at-least-once, so every handler must be idempotent.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, queryRows } from './db.js';
import { jobs } from './jobs.tables.js';
import { runWithLogContext } from './log-context.js';
import { persist } from './resilience.js';
import { currentTraceParent, outsideRequestTrace, runInJobSpan } from './telemetry-spans.js';

/**
 * A job type and the payload its handler receives: the contract between the code that enqueues the job and the
 * module that handles it. Each module exports its definitions from `<module>.jobs.ts`; `enqueueJob` and
 * `handleJob` both take the definition, so a payload that does not match is a compile error at either end.
 * `P` lives only in the type (`payload` is never set at run time).
 */
export interface JobDefinition<P extends object = Record<string, unknown>> {
  readonly type: string;
  readonly payload?: P;
}

export function defineJob<P extends object = Record<string, never>>(type: string): JobDefinition<P> {
  return Object.freeze({ type });
}

/** The scheduler's no-op periodic job: its done rows prove scheduler, relay, broker and worker all work. */
export const heartbeatJob = defineJob('ops.heartbeat');
export const HEARTBEAT_JOB = heartbeatJob.type;

export interface EnqueueOptions {
  /** Run no earlier than this. */
  runAt?: Date;
  /** A second enqueue with the same key is ignored (exactly one job per key, ever). */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface Job<P = Record<string, unknown>> {
  id: string;
  type: string;
  payload: P;
  attempts: number;
}

// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own payload type
export type JobHandler = (job: Job<any>) => Promise<void>;

/** A handler bound to its definition: `job.payload` has the definition's payload type. */
export function handleJob<P extends object>(job: JobDefinition<P>, run: (job: Job<P>) => Promise<void>): [string, JobHandler] {
  return [job.type, run];
}

/** A module's handlers by job type, from `handleJob` entries (what `AppModule.jobs` returns). */
export function jobHandlers(...entries: [string, JobHandler][]): Record<string, JobHandler> {
  return Object.fromEntries(entries);
}

/** Writes a job row with `db`, which should be the transaction of the change that causes the job. */
export async function enqueueJob<P extends object>(
  db: Db,
  job: JobDefinition<P>,
  payload: NoInfer<P>,
  options: EnqueueOptions = {},
) {
  const rows = await db
    .insert(jobs)
    .values({
      type: job.type,
      payload: payload as Record<string, unknown>,
      runAt: options.runAt,
      dedupeKey: options.dedupeKey,
      maxAttempts: options.maxAttempts,
      traceParent: currentTraceParent(), // links the job's span to this request's trace (tracing on only)
    })
    .onConflictDoNothing({ target: jobs.dedupeKey })
    .returning({ id: jobs.id });
  return rows[0]?.id;
}

/** One row for `enqueueJobs`, type-checked against its definition by `jobRow`. */
export interface JobRow {
  type: string;
  payload: Record<string, unknown>;
  options: EnqueueOptions;
}

export function jobRow<P extends object>(job: JobDefinition<P>, payload: NoInfer<P>, options: EnqueueOptions = {}): JobRow {
  return { type: job.type, payload: payload as Record<string, unknown>, options };
}

/** `enqueueJob` for several jobs in ONE statement (a checkout's email and expiry): one round trip, not one each. */
export async function enqueueJobs(db: Db, rows: JobRow[]): Promise<void> {
  if (!rows.length) return;
  const traceParent = currentTraceParent();
  await db
    .insert(jobs)
    .values(
      rows.map(({ type, payload, options }) => ({
        type,
        payload,
        runAt: options.runAt,
        dedupeKey: options.dedupeKey,
        maxAttempts: options.maxAttempts,
        traceParent,
      })),
    )
    .onConflictDoNothing({ target: jobs.dedupeKey });
}

/** Seconds to wait before attempt `attempts + 1`: 2, 4, 8 ... capped at one hour, with ±20% jitter. */
export function backoffSeconds(attempts: number): number {
  const base = Math.min(2 ** attempts, 3600);
  return Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
}

export interface ClaimedJob extends Job {
  maxAttempts: number;
  /** The lock this claim wrote (locked_until as text): a consumer takes the job only while it still matches. */
  lease?: string;
  /** W3C traceparent of the request that enqueued the job (tracing on only); its span links to it. */
  traceParent?: string;
}

export type JobOutcome = 'done' | 'retry' | 'dead' | 'skipped';

export interface JobRunner {
  /** Marks up to `limit` due jobs running (SKIP LOCKED, so runners never share one) and returns them. */
  claim(limit: number): Promise<ClaimedJob[]>;
  /**
   * Takes a relayed job for this process: true if its lease is still the one the relay wrote (or has
   * expired), renewing it. A second delivery of the same message finds the lease changed and gets false.
   */
  take(job: ClaimedJob): Promise<boolean>;
  /** Runs one claimed job and records done, retry-with-backoff, or dead. Never throws. */
  execute(job: ClaimedJob): Promise<JobOutcome>;
  /** Claims and runs every due job (up to `limit` per batch) until none is left; returns how many ran. */
  runDue(limit?: number): Promise<number>;
  /** Polls in the background until stop(). */
  start(): void;
  /** Asks the background loop to look now (after a commit that enqueued work). */
  wake(): void;
  stop(): Promise<void>;
  handlers: ReadonlyMap<string, JobHandler>;
}

export interface JobRunnerOptions {
  db: Db;
  log: Logger;
  handlers: Map<string, JobHandler>;
  pollIntervalMs: number;
  /**
   * Seconds a claim or take holds a job. A running job renews it every third of that (heartbeat), so only
   * a dead process lets it lapse; then the job is claimed again. Default 60.
   */
  lockSeconds?: number;
  /** How long to keep retrying the bookkeeping after a handler finished while the database is away. */
  recordRetryMs?: number;
  /** Called once per executed job (metrics). */
  onOutcome?: (type: string, outcome: JobOutcome, seconds: number) => void;
}

const LEASE_SQL = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, log, handlers } = options;
  const lockSeconds = options.lockSeconds ?? 60;
  const recordRetryMs = options.recordRetryMs ?? lockSeconds * 500;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function claim(limit: number): Promise<ClaimedJob[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`UPDATE jobs SET status = 'running', attempts = attempts + 1,
            locked_until = ${LEASE_SQL(lockSeconds)}, updated_at = now()
          WHERE id IN (
            SELECT id FROM jobs
            WHERE (status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now())
            ORDER BY run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING id, type, payload, attempts, max_attempts, locked_until::text AS lease, trace_parent`,
    );
    return rows.map((r) => ({
      id: r.id as string,
      type: r.type as string,
      payload: r.payload as Record<string, unknown>,
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
      lease: r.lease as string,
      traceParent: (r.trace_parent as string | null) ?? undefined,
    }));
  }

  async function take(job: ClaimedJob): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`UPDATE jobs SET locked_until = ${LEASE_SQL(lockSeconds)}, updated_at = now()
          WHERE id = ${job.id} AND status = 'running'
            AND (locked_until::text = ${job.lease ?? ''} OR locked_until < now())
          RETURNING id`,
    );
    return rows.length > 0;
  }

  function heartbeat(id: string): NodeJS.Timeout {
    const timer = setInterval(
      () =>
        void db
          .execute(sql`UPDATE jobs SET locked_until = ${LEASE_SQL(lockSeconds)} WHERE id = ${id} AND status = 'running'`)
          .catch(() => {}), // a missed beat is fine: the lease is three beats long
      (lockSeconds * 1000) / 3,
    );
    timer.unref();
    return timer;
  }

  async function execute(job: ClaimedJob): Promise<JobOutcome> {
    const handler = handlers.get(job.type);
    const started = performance.now();
    const beat = heartbeat(job.id);
    let outcome: JobOutcome = 'done';
    let failure: unknown;
    try {
      if (!handler) throw new Error(`no handler registered for job type "${job.type}"`);
      await runWithLogContext({ job_id: job.id, job_type: job.type }, () =>
        runInJobSpan(job, () => handler({ id: job.id, type: job.type, payload: job.payload, attempts: job.attempts })),
      );
    } catch (error) {
      failure = error;
      outcome = !handler || job.attempts >= job.maxAttempts ? 'dead' : 'retry';
    } finally {
      clearInterval(beat);
    }
    const message = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    const record =
      outcome === 'done'
        ? sql`UPDATE jobs SET status = 'done', finished_at = now(), updated_at = now(), locked_until = NULL WHERE id = ${job.id}`
        : outcome === 'dead'
          ? sql`UPDATE jobs SET status = 'dead', last_error = ${message}, finished_at = now(), updated_at = now(), locked_until = NULL WHERE id = ${job.id}`
          : sql`UPDATE jobs SET status = 'pending', last_error = ${message}, updated_at = now(), locked_until = NULL,
                  run_at = now() + make_interval(secs => ${backoffSeconds(job.attempts)}) WHERE id = ${job.id}`;
    const seconds = (performance.now() - started) / 1000;
    try {
      await persist(() => db.execute(record), recordRetryMs, log, 'job outcome');
    } catch (error) {
      // the lease will lapse and the job run again: handlers are idempotent, and email handlers record their sends
      log.error({ err: error, jobId: job.id, jobType: job.type }, 'job outcome lost; it will run again');
    }
    options.onOutcome?.(job.type, outcome, seconds);
    const line = { jobId: job.id, jobType: job.type, attempt: job.attempts, durationMs: Math.round(seconds * 1000), outcome };
    if (outcome === 'done') log.info(line, 'job finished');
    else log.warn({ ...line, err: failure }, 'job failed');
    return outcome;
  }

  async function runDue(limit = 20): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await claim(limit);
      for (const job of batch) await execute(job);
      total += batch.length;
      if (batch.length < limit) return total;
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref();
  }

  function tick() {
    if (running || stopped) return;
    running = outsideRequestTrace(() => runDue()) // a wake() from a request must not make the loop part of its trace
      .catch((error) => log.error({ err: error }, 'job runner loop failed'))
      .finally(() => {
        running = undefined;
        schedule(options.pollIntervalMs);
      });
  }

  return {
    claim,
    take,
    execute,
    runDue,
    handlers,
    start() {
      stopped = false;
      schedule(0);
    },
    wake() {
      if (!stopped && !running) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
