// The catalog module: products, variants, categories, images, reviews and wishlist.
import type { AppModule } from '../../core/module.js';
import { createStorage } from '../../core/storage.js';
import { catalogNearCache, watchCatalogCacheRecovery } from './catalog.cache.js';
import { productRoutes } from './catalog.routes.js';
import { categoryRoutes } from './categories.routes.js';
import { imageRoutes } from './images.routes.js';
import { reviewRoutes } from './reviews.routes.js';

export const catalogModule: AppModule = {
  name: 'catalog',
  async routes(app, ctx) {
    watchCatalogCacheRecovery(ctx);
    catalogNearCache(ctx); // subscribes now, so tokens are known locally before the first request
    // multipart parsing is app-wide (core/request-habits.ts): forms post to every route, files only to images
    categoryRoutes(app, ctx);
    productRoutes(app, ctx);
    reviewRoutes(app, ctx);
    imageRoutes(app, ctx, createStorage(ctx.config));
  },
  // the worker writes catalog invalidations too (product-cache jobs): it must bump after an outage as well
  jobs(ctx) {
    watchCatalogCacheRecovery(ctx);
    return {};
  },
};
