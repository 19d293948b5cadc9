// Notifications: the caller's own in-app notifications (newest first, `?unread=` filter), the unread count,
// marking one or all read, and a live Server-Sent Events stream. Another user's notification is a 404.
import { currentUser, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { fieldError } from '../../core/errors.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { notificationJson } from './notifications.present.js';
import { NotificationJson, NotificationListQuery, ReadAllJson, UnreadCountJson } from './notifications.schemas.js';
import { listNotifications, readAllNotifications, readNotification, unreadNotificationCount } from './notifications.service.js';
import { createEventHub, openUserStream } from './notifications.stream.js';

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

  liveStreamRoute(app, ctx);
}

const STREAM_DESCRIPTION = `Server-Sent Events (text/event-stream) of your new notifications (\`event: notification\`, data
as in the list) and your orders' status changes (\`event: order_status\`, data \`{order_id, order_number, from_status,
status, changed_at}\`), sent as their transactions commit, on whichever API replica you are connected to. Every
event has an \`id\`; reconnect with the \`Last-Event-ID\` header to get the events you missed first (kept 24 h).
A comment line (\`: heartbeat\`) comes every SSE_HEARTBEAT (15 s) when nothing else does.`;

function liveStreamRoute(app: App, ctx: AppContext) {
  const hub = createEventHub(ctx, { url: ctx.config.eventsDatabaseUrl });
  const open = new Set<() => void>();
  // open streams would hold the server's close until keep-alive timeouts: drop them (clients reconnect to
  // another replica with Last-Event-ID), then stop listening
  app.addHook('preClose', async () => {
    for (const drop of open) drop();
  });
  app.addHook('onClose', async () => {
    await hub.close().catch((error) => ctx.log.warn({ err: error }, 'closing the live event listener failed'));
  });

  app.get(
    '/notifications/stream/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        summary: 'Live stream of your notifications and order status changes (SSE)',
        description: STREAM_DESCRIPTION,
        response: {
          200: {
            description: 'An endless text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      if (header !== undefined && (typeof header !== 'string' || !/^\d{1,15}$/.test(header))) {
        throw fieldError('Last-Event-ID', 'Must be the id of an event from this stream.');
      }
      const lastEventId = header === undefined ? undefined : Number(header);
      const { stream, stop } = await openUserStream(ctx, hub, currentUser(request).id, lastEventId);
      const drop = () => {
        stop();
        reply.raw.destroy();
      };
      open.add(drop);
      reply.raw.on('close', () => {
        stop();
        open.delete(drop);
      });
      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no'); // Nginx: do not buffer this response
      return reply.send(stream);
    },
  );
}
