// The infrastructure a running Emporium holds: database, cache, mailer, job runner, logger, clock.
// Built once at start (or once per test file) and handed to every module; never a domain object.

import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type Cache, createMemoryCache, createRedisCache } from './cache.js';
import { type Database, openDatabase } from './db.js';
import { createJobRunner, type JobHandler, type JobRunner } from './jobs.js';
import { createMailer, type Mailer } from './mail.js';

export interface AppContext {
  config: Config;
  database: Database;
  /** Shorthand for database.db. */
  db: Database['db'];
  cache: Cache;
  mailer: Mailer;
  jobs: JobRunner;
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
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    }));
  const cache = overrides.cache ?? (config.redisUrl ? createRedisCache(config.redisUrl) : createMemoryCache());
  const mailer = overrides.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir });
  const jobs = createJobRunner({ db: database.db, log, handlers, pollIntervalMs: config.jobPollInterval });
  return { config, database, db: database.db, cache, mailer, jobs, log, now: overrides.now ?? (() => new Date()) };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.jobs.stop();
  ctx.mailer.close();
  await ctx.cache.close();
  await ctx.database.close();
}
