import type { AppModule } from '../../core/module.js';
import { cartJobs, expireGuestCartsJob } from './cart.jobs.js';
import { cartRoutes } from './cart.routes.js';

export const cartModule: AppModule = {
  name: 'cart',
  routes: async (app, ctx) => {
    await cartRoutes(app, ctx);
  },
  jobs: cartJobs,
  schedules: [{ job: expireGuestCartsJob, everySeconds: 3600 }],
};
