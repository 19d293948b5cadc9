// Opens the same infrastructure the server uses, for one-off commands (migrate, seed, createsuperuser).
import { createLogger } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { type AppContext, closeContext, createContext } from '../core/context.js';

export async function withCliContext(run: (ctx: AppContext) => Promise<void>): Promise<void> {
  try {
    const config = loadConfig();
    const ctx = await createContext(config, createLogger(config), new Map());
    try {
      await run(ctx);
    } finally {
      await closeContext(ctx);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
