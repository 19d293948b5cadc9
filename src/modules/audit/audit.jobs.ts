// The audit module's one job: retention of the trail and the field history (AUDIT_RETENTION_DAYS).
import type { AppContext } from '../../core/context.js';
import { defineJob, handleJob, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { deleteExpiredAudit } from './audit.service.js';

export const auditCleanupJob = defineJob('audit.cleanup');

export function auditJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    handleJob(auditCleanupJob, async () => {
      const deleted = await deleteExpiredAudit(ctx);
      if (deleted.entries || deleted.changes) ctx.log.info(deleted, 'deleted expired audit entries');
    }),
  );
}
