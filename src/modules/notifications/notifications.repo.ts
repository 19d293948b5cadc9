// All SQL of the notifications module. Every query that reads or changes a user's notifications is scoped
// by user_id, so another user's id simply finds nothing.
import { and, count, desc, eq, isNotNull, isNull, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { type NewNotification, type NotificationRow, notifications } from './notifications.tables.js';

/** Inserts one notification; a row with the same dedupe key already there means nothing is inserted. */
export async function insertNotification(db: Db, values: NewNotification): Promise<NotificationRow | undefined> {
  const [row] = await db
    .insert(notifications)
    .values(values)
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning();
  return row;
}

export async function listNotificationsOfUser(
  db: Db,
  userId: string,
  filters: { unread?: boolean },
  page: { limit: number; offset: number },
): Promise<{ count: number; rows: NotificationRow[] }> {
  const conditions: SQL[] = [eq(notifications.userId, userId)];
  if (filters.unread === true) conditions.push(isNull(notifications.readAt));
  if (filters.unread === false) conditions.push(isNotNull(notifications.readAt));
  const where = and(...conditions);
  const [total] = await db.select({ n: count() }).from(notifications).where(where);
  const rows = await db
    .select()
    .from(notifications)
    .where(where)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(page.limit)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

export async function findNotificationOfUser(db: Db, userId: string, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return row;
}

/** Sets read_at if it is not set yet; returns the row only when this call changed it. */
export async function markNotificationRead(db: Db, userId: string, id: string, now: Date): Promise<NotificationRow | undefined> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning();
  return row;
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllNotificationsRead(db: Db, userId: string, now: Date): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function countUnreadNotifications(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

export async function deleteNotificationsCreatedBefore(db: Db, cutoff: Date): Promise<number> {
  const rows = await db.delete(notifications).where(lt(notifications.createdAt, cutoff)).returning({ id: notifications.id });
  return rows.length;
}
