// Notifications: the caller's own in-app notifications (newest first, `?unread=` filter), the unread count,
// and marking one or all read. Another user's notification is a 404.
import { currentUser, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import {
  NotificationJson,
  NotificationListQuery,
  notificationJson,
  ReadAllJson,
  UnreadCountJson,
} from './notifications.schemas.js';
import { listNotifications, readAllNotifications, readNotification, unreadNotificationCount } from './notifications.service.js';

const tags = ['notifications'];
const security = [{ bearerAuth: [] }];

export async function notificationRoutes(app: App, ctx: AppContext) {
  app.get(
    '/notifications/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        summary: 'Your notifications, newest first',
        querystring: NotificationListQuery,
        response: { 200: Paginated(NotificationJson), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, rows } = await listNotifications(ctx, currentUser(request), { unread: request.query.unread }, page);
      return toPage(request, page, count, rows.map(notificationJson));
    },
  );

  app.get(
    '/notifications/unread-count/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        summary: 'How many of your notifications are unread',
        response: { 200: UnreadCountJson, ...problemResponses },
      },
    },
    async (request) => ({ count: await unreadNotificationCount(ctx, currentUser(request)) }),
  );

  app.post(
    '/notifications/read-all/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        summary: 'Mark all your notifications read',
        response: { 200: ReadAllJson, ...problemResponses },
      },
    },
    async (request) => ({ updated: await readAllNotifications(ctx, currentUser(request)) }),
  );

  app.post(
    '/notifications/:id/read/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        summary: 'Mark one of your notifications read (idempotent)',
        params: IdParams,
        response: { 200: NotificationJson, ...problemResponses },
      },
    },
    async (request) => notificationJson(await readNotification(ctx, currentUser(request), request.params.id)),
  );
}
