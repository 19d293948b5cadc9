// Periodic jobs. Each tick enqueues one job per schedule and time slot with a dedupe key, so however many
// scheduler processes run, a slot's job exists exactly once.
import type { Logger } from 'pino';
import type { Db } from './db.js';
import { enqueueJob } from './jobs.js';

export interface Schedule {
  /** Job type to enqueue. */
  jobType: string;
  everySeconds: number;
  payload?: Record<string, unknown>;
}

/** Enqueues the jobs of every schedule whose current slot has none yet. */
export async function enqueueScheduled(db: Db, schedules: Schedule[], now: Date): Promise<number> {
  let created = 0;
  for (const s of schedules) {
    const slot = Math.floor(now.getTime() / 1000 / s.everySeconds);
    const id = await enqueueJob(db, s.jobType, s.payload ?? {}, { dedupeKey: `schedule:${s.jobType}:${slot}`, maxAttempts: 3 });
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
