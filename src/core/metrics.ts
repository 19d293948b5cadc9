// Prometheus metrics every process shares (API, worker, scheduler): jobs by type and outcome, outbox
// backlog and the age of its oldest due row, cache reads and the Redis breaker, DB pool usage. One registry
// per context (tests build many apps in one process; prom-client's global registry would reject the repeats).
import { sql } from 'drizzle-orm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Cache } from './cache.js';
import { type Database, queryRows } from './db.js';
import type { JobOutcome } from './jobs.js';
import type { BreakerState } from './resilience.js';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface Metrics {
  registry: Registry;
  jobFinished(type: string, outcome: JobOutcome, seconds: number): void;
  cacheRead(result: 'hit' | 'miss' | 'bypass' | 'near'): void;
}

export function createMetrics(deps: { database: Database; cache: Cache }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const jobs = new Counter({
    name: 'jobs_finished_total',
    help: 'Jobs run by this process, by type and outcome (done, retry = failed and rescheduled, dead)',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const jobSeconds = new Histogram({
    name: 'job_duration_seconds',
    help: 'Job run time by type',
    labelNames: ['type'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers,
  });
  const cacheReads = new Counter({
    name: 'cache_reads_total',
    help: "Cache reads: hit, miss, bypass (Redis skipped: breaker open or entries not yet trusted again), or near (served from the process's near cache, no Redis read)",
    labelNames: ['result'],
    registers,
  });
  new Gauge({
    name: 'cache_breaker_state',
    help: 'Redis circuit breaker: 0 closed, 1 half-open, 2 open (cache falls through, limits local)',
    registers,
    collect() {
      this.set(BREAKER_VALUE[deps.cache.breakerState]);
    },
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections by state (in_use, idle, waiting requests, max)',
    labelNames: ['state'],
    registers,
    collect() {
      const stats = deps.database.poolStats?.();
      if (!stats) return;
      this.set({ state: 'in_use' }, stats.total - stats.idle);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
      this.set({ state: 'max' }, stats.max);
    },
  });
  const backlog = new Gauge({ name: 'outbox_due_jobs', help: 'Jobs due and not yet running', registers });
  const oldest = new Gauge({
    name: 'outbox_oldest_due_seconds',
    help: 'Age of the oldest due job that has not started (0 when none)',
    registers,
  });
  const dead = new Gauge({ name: 'jobs_dead', help: 'Jobs in the dead-letter store, by type', labelNames: ['type'], registers });
  // one query per scrape for the three job gauges; a database outage leaves them unset rather than failing /metrics
  new Gauge({
    name: 'outbox_scrape_ok',
    help: '1 if the last scrape could read the jobs table',
    registers,
    async collect() {
      try {
        const [due] = await queryRows<{ n: string; age: string | null }>(
          deps.database.db,
          sql`SELECT count(*) AS n, extract(epoch FROM now() - min(run_at)) AS age
              FROM jobs WHERE status = 'pending' AND run_at <= now()`,
        );
        backlog.set(Number(due?.n ?? 0));
        oldest.set(Math.max(0, Number(due?.age ?? 0)));
        dead.reset();
        const rows = await queryRows<{ type: string; n: string }>(
          deps.database.db,
          sql`SELECT type, count(*) AS n FROM jobs WHERE status = 'dead' GROUP BY type`,
        );
        for (const row of rows) dead.set({ type: row.type }, Number(row.n));
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
  return {
    registry,
    jobFinished(type, outcome, seconds) {
      jobs.inc({ type, outcome });
      jobSeconds.observe({ type }, seconds);
    },
    cacheRead(result) {
      cacheReads.inc({ result });
    },
  };
}
