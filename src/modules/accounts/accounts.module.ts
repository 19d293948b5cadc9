import type { AppModule } from '../../core/module.js';
import { accountsJobs, JOB_CLEANUP_TOKENS } from './accounts.jobs.js';
import { accountsRoutes } from './accounts.routes.js';
import { addressRoutes } from './addresses.routes.js';

export const accountsModule: AppModule = {
  name: 'accounts',
  routes(app, ctx) {
    accountsRoutes(app, ctx);
    addressRoutes(app, ctx);
  },
  jobs: accountsJobs,
  schedules: [{ jobType: JOB_CLEANUP_TOKENS, everySeconds: 3600 }],
};
