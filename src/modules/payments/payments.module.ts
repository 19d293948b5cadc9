import { rejectUnstorableInput } from '../../core/input-guard.js';
import type { AppModule } from '../../core/module.js';
import { paymentsJobs } from './payments.jobs.js';
import { paymentsRoutes } from './payments.routes.js';
import { webhookRoutes } from './webhook.routes.js';

export const paymentsModule: AppModule = {
  name: 'payments',
  async routes(app, ctx) {
    // NUL characters (PostgreSQL text cannot hold them) and Infinity are 400s here, not driver errors
    app.addHook('preHandler', rejectUnstorableInput);
    await paymentsRoutes(app, ctx);
    await app.register(async (scope) => webhookRoutes(scope as typeof app, ctx));
  },
  jobs: paymentsJobs,
};
