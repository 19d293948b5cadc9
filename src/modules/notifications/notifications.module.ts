import type { AppModule } from '../../core/module.js';
import { cleanupNotificationsJob, notificationJobs } from './notifications.jobs.js';
import { notificationRoutes } from './notifications.routes.js';

export const notificationsModule: AppModule = {
  name: 'notifications',
  routes: notificationRoutes,
  jobs: notificationJobs,
  schedules: [{ job: cleanupNotificationsJob, everySeconds: 24 * 3600 }],
};
