// Listens, runs jobs and the scheduler in-process when configured, and shuts down gracefully on SIGTERM/SIGINT.
import { buildApp, createLogger, schedules } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isDbUnavailable } from './core/db.js';
import { startScheduler } from './core/scheduler.js';
import { flushTelemetry, initTelemetry } from './core/telemetry.js';
import { users } from './modules/accounts/accounts.tables.js';
import { seedDemoData } from './seed.js';
import { announceStartup, prepareEmbeddedDatabase } from './startup.js';

async function main() {
  const config = loadConfig();
  initTelemetry(config); // before the app, so its hooks see Sentry
  const logger = createLogger(config);
  await prepareEmbeddedDatabase(config, logger);
  const app = await buildApp(config, { logger });
  const { ctx } = app;
  if (config.migrateOnStart)
    await ctx.database.migrate().catch((error: unknown) => {
      if (!isDbUnavailable(error)) throw error;
      // the supervisor restarts us; say which setting points at the database that did not answer
      throw new ConfigError(`Cannot migrate: PostgreSQL configured by DATABASE_URL is unreachable (${String(error)}).`);
    });
  // Demo accounts have published passwords: only an empty embedded database outside production gets them.
  const wantsDemo = ctx.database.kind === 'pglite' && config.nodeEnv !== 'production';
  if (wantsDemo && (await ctx.db.select({ id: users.id }).from(users).limit(1)).length === 0) {
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

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    scheduler?.stop();
    await app.close(); // stops accepting, drains requests, stops the job runner, closes pools
    await flushTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
