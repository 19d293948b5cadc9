// Job handlers of the notifications module. Order emails are sent by the orders module's own jobs, and in-app
// notifications are read through the API or pushed live by the stream (notifications.stream.ts, no job), so
// the only job here is the retention cleanup (notifications and the stream's replay log).
import type { AppContext } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs.js';
import { deleteExpiredNotifications } from './notifications.service.js';

export function notificationJobs(ctx: AppContext): Record<string, JobHandler> {
  return {
    'notifications.cleanup': async () => {
      const deleted = await deleteExpiredNotifications(ctx);
      if (deleted) ctx.log.info({ deleted }, 'deleted expired notifications');
    },
  };
}
