// Periodic jobs. Each tick enqueues one job per schedule and time slot with a dedupe key, so however many
// scheduler processes run, a slot's job exists exactly once.
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from './db.js';
import { enqueueJob, type JobDefinition } from './jobs.js';
import { backoffDelay, sleep } from './resilience.js';

export interface Schedule {
  /** The job to enqueue (a payload-less one, or give `payload`). */
  job: JobDefinition<object>;
  everySeconds: number;
  payload?: Record<string, unknown>;
}

/** Enqueues the jobs of every schedule whose current slot has none yet. */
export async function enqueueScheduled(db: Db, schedules: Schedule[], now: Date): Promise<number> {
  let created = 0;
  for (const s of schedules) {
    const slot = Math.floor(now.getTime() / 1000 / s.everySeconds);
    const id = await enqueueJob(db, s.job, s.payload ?? {}, { dedupeKey: `schedule:${s.job.type}:${slot}`, maxAttempts: 3 });
    if (id) created++;
  }
  return created;
}

export function startScheduler(options: {
  db: Db;
  log: Logger;
  schedules: Schedule[];
  tickMs?: number;
  onEnqueued?: () => void;
}) {
  const tickMs = options.tickMs ?? 15_000;
  const tick = () =>
    enqueueScheduled(options.db, options.schedules, new Date())
      .then((n) => {
        if (n > 0) options.onEnqueued?.();
      })
      .catch((error) => options.log.error({ err: error }, 'scheduler tick failed'));
  void tick();
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export type SchedulerRole = 'connecting' | 'standby' | 'active';

/**
 * Leadership through a PostgreSQL advisory lock, which lives exactly as long as one session: a scheduler
 * whose connection dies loses the lock at that moment (the server releases it), so the standby that polls
 * every `checkMs` takes over within seconds. The active one enqueues *through the locking session itself*,
 * so a scheduler that lost its session cannot enqueue anything: never two active ones. Every loss of the
 * session — error, end, failed check — drops back to reconnecting with a capped, jittered backoff.
 * `url` must reach PostgreSQL directly: through PgBouncer in transaction mode the lock would be taken on
 * whichever server connection ran the statement, not held by this session (DATABASE_DIRECT_URL).
 */
export function startLeaderElection(options: {
  url: string;
  lockKey: number;
  log: Logger;
  checkMs: number;
  connectTimeoutMs: number;
  /** The setting `url` came from, named in the "cannot reach" warning (default DATABASE_URL). */
  variable?: string;
  /** Becomes active: start ticking with this database handle (the lock's own session). */
  onActive: (db: Db) => void;
  /** Lost the lock (or the session): stop ticking at once. */
  onInactive: () => void;
}) {
  const { log } = options;
  let role: SchedulerRole = 'connecting';
  let stopped = false;
  let client: pg.Client | undefined;
  let wake: (() => void) | undefined;

  const setRole = (next: SchedulerRole, extra: Record<string, unknown> = {}) => {
    if (next === role) return;
    const previous = role;
    role = next;
    if (previous === 'active') options.onInactive();
    if (next === 'active') options.onActive(drizzlePg({ client: client as pg.Client }) as unknown as Db);
    const message = {
      active: 'scheduler active (holds the lock)',
      standby: 'another scheduler is active; standing by',
      connecting: 'scheduler lost its database session; reconnecting',
    }[next];
    (next === 'connecting' ? log.warn.bind(log) : log.info.bind(log))({ role: next, previous, ...extra }, message);
  };

  async function session(): Promise<void> {
    const c = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      keepAlive: true,
    });
    client = c;
    const lost = new Promise<void>((resolve) => {
      c.on('error', () => resolve());
      c.on('end', () => resolve());
      wake = resolve;
    });
    await c.connect();
    let alive = true;
    void lost.then(() => {
      alive = false;
    });
    while (alive && !stopped) {
      if (role !== 'active') {
        const { rows } = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [options.lockKey]);
        setRole(rows[0]?.locked ? 'active' : 'standby');
      } else {
        await c.query('SELECT 1'); // still our session, so still our lock
      }
      await Promise.race([lost, sleep(options.checkMs)]);
    }
  }

  async function loop() {
    let attempt = 0;
    while (!stopped) {
      try {
        await session();
        attempt = 0;
      } catch (error) {
        if (attempt === 0)
          log.warn(
            { variable: options.variable ?? 'DATABASE_URL', err: error instanceof Error ? error.message : String(error) },
            'scheduler cannot reach PostgreSQL; retrying',
          );
      }
      setRole('connecting');
      await client?.end().catch(() => {});
      if (stopped) return;
      await sleep(backoffDelay(attempt++, { initialMs: 200, maxMs: Math.max(1000, options.checkMs) }));
    }
  }
  void loop();
  return {
    get role() {
      return role;
    },
    async stop() {
      stopped = true;
      setRole('connecting');
      wake?.();
      await client?.end().catch(() => {});
    },
  };
}
