// `npm run seed [-- --products N]`: demo users and catalog; `--products 100000` builds a benchmark catalog.
import { parseArgs } from 'node:util';
import { seedDemoData } from '../seed.js';
import { withCliContext } from './context.js';

const { values } = parseArgs({ options: { products: { type: 'string', default: '200' } } });
const products = Number(values.products);
if (!Number.isInteger(products) || products < 0) {
  console.error('--products must be a non-negative integer');
  process.exit(2);
}

await withCliContext(async (ctx) => {
  await ctx.database.migrate();
  const started = Date.now();
  await seedDemoData(ctx, { products });
  console.log(`seeded demo data (${products} products) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
