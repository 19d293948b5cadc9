// Jobs: `enqueueJob` writes an outbox row inside the caller's transaction; the runner claims due rows with
// SKIP LOCKED, runs their handler, and retries failures with exponential backoff until they go `dead`.
// Delivery is at-least-once, so every handler must be idempotent.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, queryRows } from './db.js';
import { jobs } from './jobs.tables.js';
import { runWithLogContext } from './log-context.js';

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

/** Writes a job row with `db`, which should be the transaction of the change that causes the job. */
export async function enqueueJob(db: Db, type: string, payload: Record<string, unknown>, options: EnqueueOptions = {}) {
  const rows = await db
    .insert(jobs)
    .values({
      type,
      payload,
      runAt: options.runAt,
      dedupeKey: options.dedupeKey,
      maxAttempts: options.maxAttempts,
    })
    .onConflictDoNothing({ target: jobs.dedupeKey })
    .returning({ id: jobs.id });
  return rows[0]?.id;
}

/** Seconds to wait before attempt `attempts + 1`: 2, 4, 8 ... capped at one hour, with ±20% jitter. */
export function backoffSeconds(attempts: number): number {
  const base = Math.min(2 ** attempts, 3600);
  return Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
}

export interface ClaimedJob extends Job {
  maxAttempts: number;
}

export interface JobRunner {
  /** Marks up to `limit` due jobs running (SKIP LOCKED, so runners never share one) and returns them. */
  claim(limit: number): Promise<ClaimedJob[]>;
  /** Runs one claimed job and records done, retry-with-backoff, or dead. Never throws. */
  execute(job: ClaimedJob): Promise<void>;
  /** Claims and runs every due job (up to `limit` per batch) until none is left; returns how many ran. */
  runDue(limit?: number): Promise<number>;
  /** Polls in the background until stop(). */
  start(): void;
  /** Asks the background loop to look now (after a commit that enqueued work). */
  wake(): void;
  stop(): Promise<void>;
  handlers: ReadonlyMap<string, JobHandler>;
}

const LOCK_SECONDS = 300;

export function createJobRunner(options: {
  db: Db;
  log: Logger;
  handlers: Map<string, JobHandler>;
  pollIntervalMs: number;
}): JobRunner {
  const { db, log, handlers } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function claim(limit: number): Promise<ClaimedJob[]> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`UPDATE jobs SET status = 'running', attempts = attempts + 1,
            locked_until = now() + make_interval(secs => ${LOCK_SECONDS}), updated_at = now()
          WHERE id IN (
            SELECT id FROM jobs
            WHERE (status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now())
            ORDER BY run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING id, type, payload, attempts, max_attempts`,
    );
    return rows.map((r) => ({
      id: r.id as string,
      type: r.type as string,
      payload: r.payload as Record<string, unknown>,
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
    }));
  }

  async function execute(job: ClaimedJob): Promise<void> {
    const handler = handlers.get(job.type);
    try {
      if (!handler) throw new Error(`no handler registered for job type "${job.type}"`);
      await runWithLogContext({ job_id: job.id, job_type: job.type }, () =>
        handler({ id: job.id, type: job.type, payload: job.payload, attempts: job.attempts }),
      );
      await db.execute(
        sql`UPDATE jobs SET status = 'done', finished_at = now(), updated_at = now(), locked_until = NULL WHERE id = ${job.id}`,
      );
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const dead = !handler || job.attempts >= job.maxAttempts;
      log.warn({ jobId: job.id, jobType: job.type, attempts: job.attempts, dead, err: error }, 'job failed');
      await db.execute(
        dead
          ? sql`UPDATE jobs SET status = 'dead', last_error = ${message}, finished_at = now(), updated_at = now(), locked_until = NULL WHERE id = ${job.id}`
          : sql`UPDATE jobs SET status = 'pending', last_error = ${message}, updated_at = now(), locked_until = NULL,
                  run_at = now() + make_interval(secs => ${backoffSeconds(job.attempts)}) WHERE id = ${job.id}`,
      );
    }
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
    running = runDue()
      .catch((error) => log.error({ err: error }, 'job runner loop failed'))
      .finally(() => {
        running = undefined;
        schedule(options.pollIntervalMs);
      });
  }

  return {
    claim,
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
