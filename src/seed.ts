// Demo data for the embedded default and `npm run seed`: the users the README names, plus whatever each
// module seeds (a catalog, coupons...). Safe to run twice: existing rows are kept.
import type { AppContext } from './core/context.js';
import { seedDemoUsers } from './modules/accounts/accounts.seed.js';
import { seedCatalog } from './modules/catalog/catalog.seed.js';

export interface SeedOptions {
  /** Number of demo products (catalog); 0 skips the catalog. */
  products: number;
}

export async function seedDemoData(ctx: AppContext, options: SeedOptions = { products: 200 }): Promise<void> {
  await seedDemoUsers(ctx);
  // Modules with demo data add their seed call here (catalog: products, categories, reviews).
  await seedCatalog(ctx, { products: options.products });
}
