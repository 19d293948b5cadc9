// `scheduler` process: enqueues periodic jobs. It holds a PostgreSQL advisory lock so only one is active;
// others wait as hot standbys. (Each slot's job also has a dedupe key, so even two active ones enqueue once.)
import pg from 'pg';
import { createLogger, schedules } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './core/context.js';
import { startScheduler } from './core/scheduler.js';

const SCHEDULER_LOCK = 727_002;

async function main() {
  const config = loadConfig();
  const log = createLogger(config).child({ process: 'scheduler' });
  if (!config.databaseUrl)
    throw new ConfigError('The scheduler process needs DATABASE_URL (the embedded server schedules in-process).');
  const lockClient = new pg.Client({ connectionString: config.databaseUrl });
  await lockClient.connect();
  for (;;) {
    const { rows } = await lockClient.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SCHEDULER_LOCK]);
    if (rows[0]?.locked) break;
    log.info('another scheduler is active; standing by');
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const ctx = await createContext(config, log, new Map());
  const scheduler = startScheduler({ db: ctx.db, log, schedules: schedules() });
  log.info({ schedules: schedules().map((s) => s.jobType) }, 'scheduler active');
  const shutdown = async () => {
    scheduler.stop();
    await closeContext(ctx);
    await lockClient.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
