// Job handlers of the notifications module. Order emails are sent by the orders module's own jobs, and in-app
// notifications are read through the API or pushed live by the stream (notifications.stream.ts, no job), so
// the only job here is the retention cleanup (notifications and the stream's replay log).
import type { AppContext } from '../../core/context.js';
import { defineJob, handleJob, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { deleteExpiredNotifications } from './notifications.service.js';

export const cleanupNotificationsJob = defineJob('notifications.cleanup');

export function notificationJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    handleJob(cleanupNotificationsJob, async () => {
      const deleted = await deleteExpiredNotifications(ctx);
      if (deleted) ctx.log.info({ deleted }, 'deleted expired notifications');
    }),
  );
}
