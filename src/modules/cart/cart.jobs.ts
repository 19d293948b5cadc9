// Jobs of the cart module: the hourly expiry of abandoned guest carts.
import type { AppContext } from '../../core/context.js';
import { defineJob, handleJob, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { expireGuestCarts } from './cart.service.js';

export const expireGuestCartsJob = defineJob('cart.expire_guest_carts');

export function cartJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    handleJob(expireGuestCartsJob, async () => {
      const deleted = await expireGuestCarts(ctx);
      if (deleted) ctx.log.info({ deleted }, 'expired guest carts');
    }),
  );
}
