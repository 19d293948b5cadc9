import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../core/http.js';
import { PageQuery } from '../../core/pagination.js';

export const NotificationJson = Type.Object(
  {
    id: Uuid,
    kind: Type.String({ description: 'What happened, e.g. order.shipped', examples: ['order.shipped'] }),
    title: Type.String(),
    body: Type.String(),
    data: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
      description: 'Context of the notification, e.g. {order_id, order_number}',
    }),
    is_read: Type.Boolean(),
    read_at: Type.Union([Timestamp, Type.Null()]),
    created_at: Timestamp,
  },
  { title: 'Notification' },
);

export const NotificationListQuery = Type.Object({
  ...PageQuery,
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread; false: only read; absent: all' })),
});

export const UnreadCountJson = Type.Object({ count: Type.Integer({ minimum: 0 }) }, { title: 'UnreadNotificationCount' });
export const ReadAllJson = Type.Object(
  { updated: Type.Integer({ minimum: 0, description: 'How many notifications were unread and are now read' }) },
  { title: 'NotificationsReadAll' },
);
