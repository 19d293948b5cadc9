// `npm run migrate`: applies pending migrations (the release step when MIGRATE_ON_START=false).
// The app is imported after the arguments are read, so --help answers at once.
import { type CliIo, complain, runMain, say } from './io.js';

const usage = 'Usage: npm run migrate\n\nApplies pending migrations to DATABASE_URL (or the embedded database under DATA_DIR).';

export async function main(args: string[], io: CliIo): Promise<number> {
  if (args.some((arg) => arg === '--help' || arg === '-h')) {
    say(io, usage);
    return 0;
  }
  if (args.length) {
    complain(io, `Unknown option '${args[0]}'\n\n${usage}`);
    return 2;
  }
  const { withCliContext } = await import('./context.js');
  return withCliContext(async (ctx) => {
    await ctx.database.migrate();
    say(io, `migrations applied (${ctx.database.kind})`);
  }, io);
}

await runMain(import.meta.url, main);
