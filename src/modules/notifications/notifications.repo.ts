// All SQL of the notifications module. Every query that reads or changes a user's notifications is scoped
// by user_id, so another user's id simply finds nothing.
import { and, asc, count, desc, eq, gt, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import {
  type NewNotification,
  type NotificationRow,
  notifications,
  type UserEventRow,
  userEvents,
} from './notifications.tables.js';

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

/** Channel of PostgreSQL NOTIFY for new user events; the payload is `<event id>:<user id>`. */
export const USER_EVENTS_CHANNEL = 'emporium_user_events';

/**
 * Records a user event and signals it with pg_notify in the same statement: NOTIFY is transactional, so
 * listeners hear of it when the caller's transaction commits, and never for a rolled-back one.
 */
export async function insertUserEvent(db: Db, userId: string, type: UserEventRow['type'], data: Record<string, unknown>) {
  await db.execute(sql`
    with e as (
      insert into ${userEvents} (user_id, type, data) values (${userId}, ${type}, ${JSON.stringify(data)}::jsonb)
      returning id, user_id
    )
    select pg_notify(${USER_EVENTS_CHANNEL}, e.id || ':' || e.user_id) from e`);
}

export async function findUserEvent(db: Db, userId: string, id: number): Promise<UserEventRow | undefined> {
  const [row] = await db
    .select()
    .from(userEvents)
    .where(and(eq(userEvents.userId, userId), eq(userEvents.id, id)));
  return row;
}

/** The user's events after `afterId`, oldest first (Last-Event-ID replay). */
export async function userEventsAfter(db: Db, userId: string, afterId: number, limit: number): Promise<UserEventRow[]> {
  return db
    .select()
    .from(userEvents)
    .where(and(eq(userEvents.userId, userId), gt(userEvents.id, afterId)))
    .orderBy(asc(userEvents.id))
    .limit(limit);
}

export async function deleteUserEventsCreatedBefore(db: Db, cutoff: Date): Promise<number> {
  const rows = await db.delete(userEvents).where(lt(userEvents.createdAt, cutoff)).returning({ id: userEvents.id });
  return rows.length;
}
