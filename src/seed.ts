// Demo data for the embedded default and `npm run seed`: the users the README names, plus whatever each
// module seeds (a catalog, coupons...). Safe to run twice: existing rows are kept.
import type { AppContext } from './core/context.js';
import { seedDemoUsers } from './modules/accounts/accounts.seed.js';
import { seedCatalog } from './modules/catalog/catalog.seed.js';

export interface SeedOptions {
  /** Number of demo products (catalog); 0 skips the catalog. */
  products: number;
  /** Called before each step, for a progress line (the server logs them on a first start). */
  progress?: (step: string) => void;
}

export async function seedDemoData(ctx: AppContext, options: SeedOptions = { products: 200 }): Promise<void> {
  options.progress?.('demo accounts');
  await seedDemoUsers(ctx);
  // Modules with demo data add their seed call here (catalog: products, categories, reviews).
  options.progress?.(`demo catalog (${options.products} products, variants, reviews)`);
  await seedCatalog(ctx, { products: options.products });
}
