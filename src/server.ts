// Listens, runs jobs and the scheduler in-process when configured, and shuts down gracefully on SIGTERM/SIGINT.
import { buildApp, schedules } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { startScheduler } from './core/scheduler.js';
import { flushTelemetry, initTelemetry } from './core/telemetry.js';
import { users } from './modules/accounts/accounts.tables.js';
import { seedDemoData } from './seed.js';

async function main() {
  const config = loadConfig();
  initTelemetry(config); // before the app, so its hooks see Sentry
  const app = await buildApp(config);
  const { ctx } = app;
  if (config.migrateOnStart) await ctx.database.migrate();
  // Demo accounts have published passwords: only an empty embedded database outside production gets them.
  const wantsDemo = ctx.database.kind === 'pglite' && config.nodeEnv !== 'production';
  if (wantsDemo && (await ctx.db.select({ id: users.id }).from(users).limit(1)).length === 0) {
    app.log.info('empty embedded database: loading demo data');
    await seedDemoData(ctx);
  }
  let scheduler: { stop(): void } | undefined;
  if (config.jobsInProcess) {
    ctx.jobs.start();
    scheduler = startScheduler({ db: ctx.db, log: ctx.log, schedules: schedules(), onEnqueued: () => ctx.jobs.wake() });
  }
  await app.listen({ host: config.host, port: config.port });

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
