// Catalog service: categories, products, variants, images, reviews, wishlist, search, caching.
import type { AppContext } from '../../core/context.js';

/**
 * Drops every cached representation (detail, list pages, category tree as needed) of these products.
 * Called after commit by any module that changed product data or stock (orders on checkout and cancel).
 */
export async function invalidateProductCache(ctx: AppContext, productIds: string[]): Promise<void> {
  void ctx;
  void productIds;
  // TODO(catalog): implemented by the catalog issue
}
