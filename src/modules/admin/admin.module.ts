import type { AppModule } from '../../core/module.js';
import { adminProductRoutes } from './admin.products.routes.js';
import { adminReviewRoutes } from './admin.reviews.routes.js';
import { adminRoutes } from './admin.routes.js';

/** Staff-only screens' API: dashboard stats, background jobs, review moderation, bulk and CSV product work. */
export const adminModule: AppModule = {
  name: 'admin',
  routes: async (app, ctx) => {
    adminRoutes(app, ctx);
    adminReviewRoutes(app, ctx);
    await adminProductRoutes(app, ctx);
  },
};
