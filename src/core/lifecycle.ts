// The process lifecycle shared by the API server, the worker and the scheduler: how a start-up failure exits,
// and how SIGTERM/SIGINT stop the process (steps in a fixed order, a deadline, the exit code).
//   exit 0: stopped cleanly on a signal
//   exit 1: start-up failed, a shutdown step failed, or shutdown passed its deadline
//   exit 2: configuration error (the message says which setting)
import { ConfigError } from '../config.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;

/** The part of `process` the lifecycle uses (tests pass a stand-in). */
export interface ProcessLike {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): never | undefined;
}

/** The logging the lifecycle needs (a pino logger or Fastify's). */
export interface LifecycleLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ShutdownStep {
  /** Named in the log when the step fails. */
  name: string;
  run: () => Promise<unknown> | unknown;
}

/** Runs `main`; a ConfigError exits 2 with just its message, any other error exits 1 with the error. */
export function runMain(main: () => Promise<void>, proc: ProcessLike = process): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    proc.exit(error instanceof ConfigError ? EXIT_CONFIG : EXIT_FAILURE);
  });
}

/**
 * On the first SIGTERM or SIGINT: logs, runs `steps` in order (stop taking work first, close pools last), then
 * exits 0, or 1 if a step failed (the later steps still run). A shutdown that takes longer than `deadlineMs`
 * exits 1. The other signal while stopping is ignored; the same signal again gets Node's default action and ends
 * the process at once (a second Ctrl-C forces the exit).
 */
export function stopOnSignals(
  log: LifecycleLog,
  steps: ShutdownStep[],
  options: { deadlineMs?: number; process?: ProcessLike } = {},
): void {
  const proc = options.process ?? process;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ deadlineMs: options.deadlineMs ?? 15_000 }, 'shutdown took too long; exiting');
      proc.exit(EXIT_FAILURE);
    }, options.deadlineMs ?? 15_000);
    force.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        failed = true;
        log.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(force);
    proc.exit(failed ? EXIT_FAILURE : EXIT_OK);
  };
  proc.once('SIGTERM', () => void stop('SIGTERM'));
  proc.once('SIGINT', () => void stop('SIGINT'));
}
