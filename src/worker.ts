// `worker` process: runs jobs. With AMQP_URL it relays due outbox rows to RabbitMQ and consumes them (run
// as many workers as needed); without it, it polls the jobs table directly (SKIP LOCKED keeps workers apart).
import { createLogger } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeContext, createContext } from './core/context.js';
import type { JobHandler } from './core/jobs.js';
import { startAmqpJobs } from './core/jobs-amqp.js';
import { flushTelemetry, initTelemetry, reportingJobErrors } from './core/telemetry.js';
import { modules } from './modules/index.js';

async function main() {
  const config = loadConfig();
  initTelemetry(config);
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
    });
    log.info({ handlers: [...handlers.keys()] }, 'worker consuming from RabbitMQ');
  } else {
    ctx.jobs.start();
    log.info({ handlers: [...handlers.keys()] }, 'worker polling the jobs table');
  }
  const shutdown = async () => {
    log.info('worker shutting down');
    await amqpJobs?.stop();
    await closeContext(ctx);
    await flushTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
