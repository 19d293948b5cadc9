// The audit module's one job: retention of the trail and the field history (AUDIT_RETENTION_DAYS).
import type { AppContext } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs.js';
import { deleteExpiredAudit } from './audit.service.js';

export const AUDIT_CLEANUP_JOB = 'audit.cleanup';

export function auditJobs(ctx: AppContext): Record<string, JobHandler> {
  return {
    [AUDIT_CLEANUP_JOB]: async () => {
      const deleted = await deleteExpiredAudit(ctx);
      if (deleted.entries || deleted.changes) ctx.log.info(deleted, 'deleted expired audit entries');
    },
  };
}
