import type { AppModule } from '../../core/module.js';
import { setOrderCancelHook } from '../orders/orders.service.js';
import { closeOrderPayments } from './payments.cancel.js';
import { paymentsJobs } from './payments.jobs.js';
import { paymentsRoutes } from './payments.routes.js';
import { webhookRoutes } from './webhook.routes.js';

// Wiring: cancelling or expiring an order closes its payments (orders cannot import payments).
setOrderCancelHook(closeOrderPayments);

export const paymentsModule: AppModule = {
  name: 'payments',
  async routes(app, ctx) {
    await paymentsRoutes(app, ctx);
    await app.register(async (scope) => webhookRoutes(scope as typeof app, ctx));
  },
  jobs: paymentsJobs,
};
