import type { AppModule } from '../../core/module.js';
import { couponRoutes } from './coupons.routes.js';
import { cleanupIdempotencyKeysJob, orderJobs } from './orders.jobs.js';
import { orderRoutes } from './orders.routes.js';

export const ordersModule: AppModule = {
  name: 'orders',
  routes: async (app, ctx) => {
    await orderRoutes(app, ctx);
    await couponRoutes(app, ctx);
  },
  jobs: orderJobs,
  schedules: [{ job: cleanupIdempotencyKeysJob, everySeconds: 3600 }],
};
