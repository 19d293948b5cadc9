// `npm run seed [-- --products N]`: demo users and catalog; `--products 100000` builds a benchmark catalog.
// The app is imported after the arguments are read, so --help and bad arguments answer at once.
import { parseArgs } from 'node:util';
import { type CliIo, complain, runMain, say } from './io.js';

const usage = `Usage: npm run seed [-- --products N]

Creates the demo accounts (not in NODE_ENV=production) and a demo catalog of N products (default 200).
Migrates the database first. Settings come from the environment (DATABASE_URL, DATA_DIR, ...).`;

export async function main(args: string[], io: CliIo): Promise<number> {
  let values: { products: string; help: boolean };
  try {
    values = parseArgs({
      args,
      options: { products: { type: 'string', default: '200' }, help: { type: 'boolean', short: 'h', default: false } },
    }).values as typeof values;
  } catch (error) {
    complain(io, `${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    say(io, usage);
    return 0;
  }
  const products = Number(values.products);
  if (!Number.isInteger(products) || products < 0) {
    complain(io, '--products must be a non-negative integer');
    return 2;
  }
  const [{ seedDemoData }, { withCliContext }] = await Promise.all([import('../seed.js'), import('./context.js')]);
  return withCliContext(async (ctx) => {
    await ctx.database.migrate();
    const started = Date.now();
    await seedDemoData(ctx, { products, progress: (step) => say(io, `seeding ${step}...`) });
    say(io, `seeded demo data (${products} products) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, io);
}

await runMain(import.meta.url, main);
