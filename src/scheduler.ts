// `scheduler` process: enqueues periodic jobs. One is active at a time (PostgreSQL advisory lock, enqueueing
// through the locking session); others stand by and take over within SCHEDULER_LOCK_CHECK_MS of the active
// one dying or losing its session. Each slot's job also has a dedupe key, so a period's job exists once.
// /health/, /ready/ (role included) and /metrics are served on OPS_PORT.
import { createLogger, schedules } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './core/context.js';
import { runMain, stopOnSignals } from './core/lifecycle.js';
import { startOpsServer } from './core/ops-server.js';
import { startLeaderElection, startScheduler } from './core/scheduler.js';

const SCHEDULER_LOCK = 727_002;

async function main() {
  const config = loadConfig();
  const log = createLogger(config).child({ process: 'scheduler' });
  if (!config.databaseUrl)
    throw new ConfigError('The scheduler process needs DATABASE_URL (the embedded server schedules in-process).');
  const ctx = await createContext(config, log, new Map());
  let ticking: { stop(): void } | undefined;
  const election = startLeaderElection({
    // a session-level lock: never through PgBouncer's transaction mode (docs/operations.md, "Behind PgBouncer")
    url: config.databaseDirectUrl ?? config.databaseUrl,
    variable: config.databaseDirectUrl ? 'DATABASE_DIRECT_URL' : 'DATABASE_URL',
    lockKey: SCHEDULER_LOCK,
    log,
    checkMs: config.schedulerLockCheckMs,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    onActive(db) {
      ticking = startScheduler({
        db,
        log,
        schedules: schedules(config.schedulerHeartbeatSeconds),
        tickMs: config.schedulerTickMs,
      });
    },
    onInactive() {
      ticking?.stop();
      ticking = undefined;
    },
  });
  const ops = await startOpsServer({
    host: config.host,
    port: config.opsPort,
    log,
    registry: ctx.metrics.registry,
    checks: () => ({
      database: {
        check: async () => {
          if (election.role === 'connecting') throw new Error('no database session; reconnecting');
        },
        critical: true,
      },
    }),
    describe: () => ({ role: election.role }),
  });
  log.info({ schedules: schedules(config.schedulerHeartbeatSeconds).map((s) => s.job.type) }, 'scheduler started');
  stopOnSignals(log, [
    { name: 'leader election', run: () => election.stop() }, // stops ticking, releases the lock
    { name: 'ops server', run: () => ops.close() },
    { name: 'context', run: () => closeContext(ctx) },
  ]);
}

runMain(main);
