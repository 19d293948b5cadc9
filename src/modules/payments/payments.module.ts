import type { AppModule } from '../../core/module.js';
import { paymentsJobs } from './payments.jobs.js';
import { paymentsRoutes } from './payments.routes.js';
import { webhookRoutes } from './webhooks.routes.js';

export const paymentsModule: AppModule = {
  name: 'payments',
  async routes(app, ctx) {
    await paymentsRoutes(app, ctx);
    await app.register(async (scope) => webhookRoutes(scope as typeof app, ctx));
  },
  jobs: paymentsJobs,
};
