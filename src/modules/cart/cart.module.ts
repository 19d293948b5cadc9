import type { AppModule } from '../../core/module.js';
import { cartRoutes } from './cart.routes.js';
import { expireGuestCarts } from './cart.service.js';

export const cartModule: AppModule = {
  name: 'cart',
  routes: async (app, ctx) => {
    await cartRoutes(app, ctx);
  },
  jobs: (ctx) => ({
    'cart.expire_guest_carts': async () => {
      const deleted = await expireGuestCarts(ctx);
      if (deleted) ctx.log.info({ deleted }, 'expired guest carts');
    },
  }),
  schedules: [{ jobType: 'cart.expire_guest_carts', everySeconds: 3600 }],
};
