import type { AppModule } from '../../core/module.js';
import { accountsJobs, cleanupTokensJob } from './accounts.jobs.js';
import { accountsRoutes } from './accounts.routes.js';
import { addressRoutes } from './addresses.routes.js';

export const accountsModule: AppModule = {
  name: 'accounts',
  routes(app, ctx) {
    accountsRoutes(app, ctx);
    addressRoutes(app, ctx);
  },
  jobs: accountsJobs,
  schedules: [{ job: cleanupTokensJob, everySeconds: 3600 }],
};
