// `npm run seed [-- --products N]`: demo users and catalog; `--products 100000` builds a benchmark catalog.
// The app is imported after the arguments are read, so --help and bad arguments answer at once.
import { type CliIo, complain, parseCliArgs, runMain, say } from './io.js';

const usage = `Usage: npm run seed [-- --products N]

Creates the demo accounts (not in NODE_ENV=production) and a demo catalog of N products (default 200).
Migrates the database first. Settings come from the environment (DATABASE_URL, DATA_DIR, ...).`;

export async function main(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(
    io,
    { args, options: { products: { type: 'string', default: '200' }, help: { type: 'boolean', short: 'h', default: false } } },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const products = Number(parsed.values.products);
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
