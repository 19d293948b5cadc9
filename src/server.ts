// Listens, runs jobs and the scheduler in-process when configured, and shuts down gracefully on SIGTERM/SIGINT.
import { buildApp, createLogger, schedules } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isDbUnavailable, serverStatementTimeout } from './core/db.js';
import { runMain, stopOnSignals } from './core/lifecycle.js';
import { startScheduler } from './core/scheduler.js';
import { flushTelemetry, initTelemetry } from './core/telemetry.js';
import { hasAnyUser } from './modules/accounts/accounts.service.js';
import { seedDemoData } from './seed.js';
import { announceStartup, prepareEmbeddedDatabase } from './startup.js';

async function main() {
  const config = loadConfig();
  await initTelemetry(config); // before the app, so its hooks see Sentry
  const logger = createLogger(config);
  await prepareEmbeddedDatabase(config, logger);
  const app = await buildApp(config, { logger });
  const { ctx } = app;
  if (config.migrateOnStart)
    await ctx.database.migrate().catch((error: unknown) => {
      if (!isDbUnavailable(error)) throw error;
      // the supervisor restarts us; say which setting points at the database that did not answer
      const variable = config.databaseDirectUrl ? 'DATABASE_DIRECT_URL' : 'DATABASE_URL'; // migrations run direct
      throw new ConfigError(`Cannot migrate: PostgreSQL configured by ${variable} is unreachable (${String(error)}).`);
    });
  if (
    config.databaseDirectUrl &&
    config.databaseStatementTimeoutMs &&
    (await serverStatementTimeout(ctx.database).catch(() => '')) === '0'
  )
    app.log.warn(
      { variable: 'DATABASE_STATEMENT_TIMEOUT_MS' },
      'DATABASE_URL goes through a pooler (DATABASE_DIRECT_URL is set), so the pool cannot set statement_timeout and the server sets none: ALTER DATABASE ... SET statement_timeout (docs/operations.md)',
    );
  // Demo accounts have published passwords: only an empty embedded database outside production gets them.
  const wantsDemo = ctx.database.kind === 'pglite' && config.nodeEnv !== 'production';
  if (wantsDemo && !(await hasAnyUser(ctx.db))) {
    const started = Date.now();
    await seedDemoData(ctx, { products: 200, progress: (step) => app.log.info(`empty embedded database: loading ${step}`) });
    app.log.info(`demo data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  let scheduler: { stop(): void } | undefined;
  if (config.jobsInProcess) {
    ctx.jobs.start();
    scheduler = startScheduler({
      db: ctx.db,
      log: ctx.log,
      schedules: schedules(config.schedulerHeartbeatSeconds),
      onEnqueued: () => ctx.jobs.wake(),
    });
  }
  await app.listen({ host: config.host, port: config.port });
  await announceStartup(app, config);

  stopOnSignals(app.log, [
    { name: 'scheduler', run: () => scheduler?.stop() },
    { name: 'app', run: () => app.close() }, // stops accepting, drains requests, stops the job runner, closes pools
    { name: 'telemetry', run: () => flushTelemetry() },
  ]);
}

runMain(main);
