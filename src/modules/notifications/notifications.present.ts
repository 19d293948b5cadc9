// A notification row -> its JSON (the API and the live stream send the same shape).
import type { NotificationRow } from './notifications.tables.js';

export function notificationJson(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    is_read: row.readAt !== null,
    read_at: row.readAt ? row.readAt.toISOString() : null,
    created_at: row.createdAt.toISOString(),
  };
}
