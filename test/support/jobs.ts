// Running background jobs from a test, now, instead of waiting for the in-process runner's poll.
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/core/module.js';

/** Runs every due job (what a worker would pick up next) until none is left; resolves with how many ran. */
export const runQueuedJobs = (app: App): Promise<number> => app.ctx.jobs.runDue();

/**
 * Runs the handler of one job type now with `payload`, as a worker would run a queued job of that type
 * (a periodic job the scheduler would enqueue, say). `job` is the type or a job definition with a `type`.
 */
export async function runJob(app: App, job: string | { type: string }, payload: Record<string, unknown> = {}): Promise<void> {
  const type = typeof job === 'string' ? job : job.type;
  const handler = app.ctx.jobs.handlers.get(type);
  if (!handler) throw new Error(`no handler for job type ${type}`);
  await handler({ id: randomUUID(), type, payload, attempts: 1 });
}
