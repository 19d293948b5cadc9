// The infrastructure a running Emporium holds: database, cache, mailer, job runner, logger, clock.
// Built once at start (or once per test file) and handed to every module; never a domain object.

import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type Cache, createMemoryCache, createRedisCache } from './cache.js';
import { type Database, openDatabase } from './db.js';
import { createJobRunner, HEARTBEAT_JOB, type JobHandler, type JobRunner } from './jobs.js';
import { createMailer, type Mailer } from './mail.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface AppContext {
  config: Config;
  database: Database;
  /** Shorthand for database.db. */
  db: Database['db'];
  cache: Cache;
  mailer: Mailer;
  jobs: JobRunner;
  metrics: Metrics;
  log: Logger;
  /** The current time; tests may replace it to move through expiries. */
  now: () => Date;
}

export interface ContextOverrides {
  database?: Database;
  cache?: Cache;
  mailer?: Mailer;
  now?: () => Date;
}

export async function createContext(
  config: Config,
  log: Logger,
  handlers: Map<string, JobHandler>,
  overrides: ContextOverrides = {},
): Promise<AppContext> {
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.databaseUrl,
      dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pgdata'),
      poolSize: config.databasePoolSize,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      onConnectionError: connectionErrorLogger(log),
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      directUrl: config.databaseDirectUrl,
    }));
  const cache =
    overrides.cache ??
    (config.redisUrl
      ? createRedisCache(config.redisUrl, 'emp:', {
          commandTimeoutMs: config.redisCommandTimeoutMs,
          breakerOpenMs: config.redisBreakerOpenMs,
        })
      : createMemoryCache({ maxBytes: config.memoryCacheBytes }));
  const mailer = overrides.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir });
  const metrics = createMetrics({ database, cache });
  // the one clock: the memory cache's TTLs follow ctx.now, even after a test replaces it
  cache.followClock?.(() => ctx.now());
  handlers.set(HEARTBEAT_JOB, async () => {});
  cache.observe({
    log,
    onRead: (result) => metrics.cacheRead(result),
  });
  const jobs = createJobRunner({
    db: database.db,
    log,
    handlers,
    pollIntervalMs: config.jobPollInterval,
    lockSeconds: config.jobLockSeconds,
    onOutcome: (type, outcome, seconds) => metrics.jobFinished(type, outcome, seconds),
  });
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    cache,
    mailer,
    jobs,
    metrics,
    log,
    now: overrides.now ?? (() => new Date()),
  };
  await reportUnreachable(ctx);
  return ctx;
}

/** One warning per burst of dead connections (a pool of 20 dying at once is one event, not 20 lines). */
function connectionErrorLogger(log: Logger) {
  let last = 0;
  return (error: Error) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    log.warn({ variable: 'DATABASE_URL', err: error.message }, 'PostgreSQL connection lost; the pool reconnects on demand');
  };
}

/**
 * At start-up, names each configured dependency that does not answer, once, with its variable. The process
 * still starts: every adapter reconnects by itself (and the database answers 503 until it is back).
 */
async function reportUnreachable(ctx: AppContext): Promise<void> {
  const { config, log } = ctx;
  const checks: Array<Promise<void>> = [];
  if (config.databaseUrl)
    checks.push(
      ctx.database.ping().catch((error: Error) => {
        log.error({ variable: 'DATABASE_URL', err: error.message }, 'PostgreSQL configured by DATABASE_URL is unreachable');
      }),
    );
  if (ctx.cache.kind === 'redis')
    checks.push(
      ctx.cache.waitConnected(3000).then((ok) => {
        if (!ok) log.error({ variable: 'REDIS_URL' }, 'Redis configured by REDIS_URL is unreachable; caching falls through');
      }),
    );
  await Promise.all(checks);
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.jobs.stop();
  ctx.mailer.close();
  await ctx.cache.close();
  await ctx.database.close();
}
