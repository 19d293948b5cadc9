import type { AppModule } from '../../core/module.js';
import { auditCleanupJob, auditJobs } from './audit.jobs.js';
import { auditRoutes } from './audit.routes.js';

/** The audit trail and field history: tables, read API and retention; the recording hooks are in core/audit.ts. */
export const auditModule: AppModule = {
  name: 'audit',
  routes: auditRoutes,
  jobs: auditJobs,
  schedules: [{ job: auditCleanupJob, everySeconds: 24 * 3600 }],
};
