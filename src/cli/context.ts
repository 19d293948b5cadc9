// Opens the same infrastructure the server uses, for one-off commands (migrate, seed, createsuperuser).
import { createLogger } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { type AppContext, closeContext, createContext } from '../core/context.js';
import { prepareEmbeddedDatabase } from '../startup.js';
import { type CliIo, complain, processIo } from './io.js';

/**
 * Runs `run` with an app context built from `io.env`; resolves with run's exit code (0 when it returns none),
 * or 2 after printing the problem when the configuration is invalid.
 */
export async function withCliContext(run: (ctx: AppContext) => Promise<unknown>, io: CliIo = processIo()): Promise<number> {
  let ctx: AppContext;
  try {
    const config = loadConfig(io.env);
    const logger = createLogger(config);
    await prepareEmbeddedDatabase(config, logger);
    ctx = await createContext(config, logger, new Map());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    complain(io, error.message);
    return 2;
  }
  try {
    const code = await run(ctx);
    return typeof code === 'number' ? code : 0;
  } finally {
    await closeContext(ctx);
  }
}
