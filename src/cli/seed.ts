// `npm run seed [-- --products N]`: demo users and catalog; `--products 100000` builds a benchmark catalog.
// The app is imported after the arguments are read, so --help and bad arguments answer at once.
import { parseArgs } from 'node:util';

const usage = `Usage: npm run seed [-- --products N]

Creates the demo accounts (not in NODE_ENV=production) and a demo catalog of N products (default 200).
Migrates the database first. Settings come from the environment (DATABASE_URL, DATA_DIR, ...).`;

let values: { products: string; help: boolean };
try {
  values = parseArgs({
    options: { products: { type: 'string', default: '200' }, help: { type: 'boolean', short: 'h', default: false } },
  }).values as typeof values;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const products = Number(values.products);
if (!Number.isInteger(products) || products < 0) {
  console.error('--products must be a non-negative integer');
  process.exit(2);
}

const [{ seedDemoData }, { withCliContext }] = await Promise.all([import('../seed.js'), import('./context.js')]);
await withCliContext(async (ctx) => {
  await ctx.database.migrate();
  const started = Date.now();
  await seedDemoData(ctx, { products, progress: (step) => console.log(`seeding ${step}...`) });
  console.log(`seeded demo data (${products} products) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
