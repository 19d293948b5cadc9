// In-app notifications: written inside the transaction of the change they report (so a rolled-back change
// notifies nobody), read and marked read by their owner only, and deleted after a retention window.
import type { AuthUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { NotFound } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { notificationJson } from './notifications.present.js';
import * as repo from './notifications.repo.js';
import type { NotificationData, NotificationRow } from './notifications.tables.js';

export type { NotificationRow } from './notifications.tables.js';

/** How long a notification is kept, read or not (the `notifications.cleanup` job deletes older ones). */
export const NOTIFICATION_RETENTION_DAYS = 90;
const USER_EVENT_RETENTION_MS = 24 * 3600 * 1000;

export interface NotificationInput {
  kind: string;
  title: string;
  body?: string;
  data?: NotificationData;
  /** Same key twice means one notification: retried transactions and jobs never double it. */
  dedupeKey?: string;
}

/**
 * Adds a notification for `userId` inside the caller's transaction `tx`. Returns false when a notification
 * with the same dedupe key already exists (nothing inserted).
 */
export async function notifyUser(tx: Db, userId: string, input: NotificationInput): Promise<boolean> {
  const row = await repo.insertNotification(tx, {
    userId,
    kind: input.kind,
    title: input.title,
    body: input.body ?? '',
    data: input.data ?? {},
    dedupeKey: input.dedupeKey ?? null,
  });
  if (row) await repo.insertUserEvent(tx, userId, 'notification', notificationJson(row));
  return row !== undefined;
}

/** For the orders module: tells the owner's live stream (GET /notifications/stream/) about a status change. */
export async function recordOrderStatusEvent(
  tx: Db,
  order: { id: string; userId: string; orderNumber: string },
  change: { from: string | null; to: string; at: Date },
): Promise<void> {
  await repo.insertUserEvent(tx, order.userId, 'order_status', {
    order_id: order.id,
    order_number: order.orderNumber,
    from_status: change.from,
    status: change.to,
    changed_at: change.at.toISOString(),
  });
}

export type OrderNotificationStatus = 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

const ORDER_TEXTS: Record<OrderNotificationStatus, (n: string) => { title: string; body: string }> = {
  paid: (n) => ({ title: `Payment received for order ${n}`, body: 'We received your payment and are preparing your order.' }),
  shipped: (n) => ({ title: `Order ${n} shipped`, body: 'Your order is on its way.' }),
  delivered: (n) => ({ title: `Order ${n} delivered`, body: 'Your order was delivered. Enjoy!' }),
  cancelled: (n) => ({ title: `Order ${n} cancelled`, body: 'Your order was cancelled.' }),
  refunded: (n) => ({ title: `Order ${n} refunded`, body: 'Your order was refunded.' }),
};

/** The owner's notification for an order status change (`order.<status>`), once per order and status. */
export async function notifyOrderStatus(
  tx: Db,
  order: { id: string; userId: string; orderNumber: string },
  status: OrderNotificationStatus,
): Promise<boolean> {
  return notifyUser(tx, order.userId, {
    kind: `order.${status}`,
    ...ORDER_TEXTS[status](order.orderNumber),
    data: { order_id: order.id, order_number: order.orderNumber },
    dedupeKey: `order.${status}:${order.id}`,
  });
}

/** The user's own notifications, newest first; `unread` true/false filters, undefined gives all. */
export async function listNotifications(ctx: AppContext, user: AuthUser, filters: { unread?: boolean }, page: PageRequest) {
  return repo.listNotificationsOfUser(ctx.db, user.id, filters, { limit: page.pageSize, offset: page.offset });
}

/** Idempotent: reading a read notification keeps its first read_at. Another user's id is a 404. */
export async function readNotification(ctx: AppContext, user: AuthUser, id: string): Promise<NotificationRow> {
  const changed = await repo.markNotificationRead(ctx.db, user.id, id, ctx.now());
  if (changed) return changed;
  const existing = await repo.findNotificationOfUser(ctx.db, user.id, id);
  if (!existing) throw new NotFound();
  return existing;
}

export async function readAllNotifications(ctx: AppContext, user: AuthUser): Promise<number> {
  return repo.markAllNotificationsRead(ctx.db, user.id, ctx.now());
}

export async function unreadNotificationCount(ctx: AppContext, user: AuthUser): Promise<number> {
  return repo.countUnreadNotifications(ctx.db, user.id);
}

/** Job body: deletes notifications past the retention window; returns how many. */
export async function deleteExpiredNotifications(ctx: AppContext): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - NOTIFICATION_RETENTION_DAYS * 24 * 3600 * 1000);
  // stream events only serve reconnects (Last-Event-ID): a day of them is plenty
  await repo.deleteUserEventsCreatedBefore(ctx.db, new Date(ctx.now().getTime() - USER_EVENT_RETENTION_MS));
  return repo.deleteNotificationsCreatedBefore(ctx.db, cutoff);
}
