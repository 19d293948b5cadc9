// `worker` process: runs jobs. With AMQP_URL it relays due outbox rows to RabbitMQ and consumes them (run
// as many workers as needed); without it, it polls the jobs table directly (SKIP LOCKED keeps workers apart).
// Its broker connection heals itself; after AMQP_GIVE_UP_AFTER_MS without one it exits 1 for its supervisor.
// /health/, /ready/ and /metrics are served on OPS_PORT.
import { createLogger } from './app.js';
import { loadConfig } from './config.js';
import { closeContext, createContext } from './core/context.js';
import type { JobHandler } from './core/jobs.js';
import { startAmqpJobs } from './core/jobs-amqp.js';
import { EXIT_FAILURE, runMain, stopOnSignals } from './core/lifecycle.js';
import { startOpsServer } from './core/ops-server.js';
import { flushTelemetry, initTelemetry, reportingJobErrors } from './core/telemetry.js';
import { modules } from './modules/index.js';

async function main() {
  const config = loadConfig();
  await initTelemetry(config);
  const log = createLogger(config).child({ process: 'worker' });
  const handlers = new Map<string, JobHandler>();
  const ctx = await createContext(config, log, handlers);
  for (const module of modules) {
    for (const [type, handler] of Object.entries(module.jobs?.(ctx) ?? {})) handlers.set(type, reportingJobErrors(type, handler));
  }
  let amqpJobs: Awaited<ReturnType<typeof startAmqpJobs>> | undefined;
  if (config.amqpUrl) {
    amqpJobs = await startAmqpJobs({
      url: config.amqpUrl,
      db: ctx.db,
      runner: ctx.jobs,
      log,
      pollIntervalMs: config.jobPollInterval,
      backoff: { initialMs: config.amqpReconnectInitialMs, maxMs: config.amqpReconnectMaxMs },
      giveUpAfterMs: config.amqpGiveUpAfterMs,
      onGiveUp: () => process.exit(EXIT_FAILURE),
    });
    log.info({ handlers: [...handlers.keys()] }, 'worker consuming from RabbitMQ');
  } else {
    ctx.jobs.start();
    log.info({ handlers: [...handlers.keys()] }, 'worker polling the jobs table');
  }
  const ops = await startOpsServer({
    host: config.host,
    port: config.opsPort,
    log,
    registry: ctx.metrics.registry,
    checks: () => ({
      database: { check: () => ctx.database.ping(), critical: true },
      ...(amqpJobs
        ? {
            broker: {
              check: async () => {
                if (!amqpJobs?.connected) throw new Error('disconnected; reconnecting');
              },
              critical: true,
            },
          }
        : {}),
    }),
  });
  stopOnSignals(log, [
    { name: 'jobs', run: () => amqpJobs?.stop() },
    { name: 'ops server', run: () => ops.close() },
    { name: 'context', run: () => closeContext(ctx) }, // stops the polling runner, closes pools
    { name: 'telemetry', run: () => flushTelemetry() },
  ]);
}

runMain(main);
