// All SQL for orders, their items and status history. Every function takes the db or transaction first.
import { and, asc, count, desc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import type { OrderStatus, PaymentStatus } from './order-status.js';
import {
  type OrderItemRow,
  type OrderRow,
  type OrderStatusHistoryRow,
  orderItems,
  orderStatusHistory,
  orders,
} from './orders.tables.js';

export type NewOrder = typeof orders.$inferInsert;
export type NewOrderItem = typeof orderItems.$inferInsert;

/** Inserts the order unless its order number is taken (then undefined: the caller draws another number). */
export async function insertOrder(db: Db, values: NewOrder): Promise<OrderRow | undefined> {
  const rows = await db.insert(orders).values(values).onConflictDoNothing({ target: orders.orderNumber }).returning();
  return rows[0];
}

export async function insertOrderItems(db: Db, items: NewOrderItem[]): Promise<OrderItemRow[]> {
  return db.insert(orderItems).values(items).returning();
}

export async function insertStatusHistory(
  db: Db,
  row: { orderId: string; fromStatus: OrderStatus | null; toStatus: OrderStatus; note: string; actorId: string | null },
): Promise<void> {
  await db.insert(orderStatusHistory).values(row);
}

export async function findOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

/** The order row locked until the transaction ends: status changes, cancels and payments serialize on it. */
export async function lockOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id)).for('update');
  return row;
}

export async function updateOrder(
  db: Db,
  id: string,
  changes: Partial<Pick<OrderRow, 'status' | 'paymentStatus' | 'paidAt' | 'cancelledAt' | 'stockRestoredAt'>> & {
    status?: OrderStatus;
    paymentStatus?: PaymentStatus;
  },
): Promise<void> {
  await db
    .update(orders)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(orders.id, id));
}

export interface OrderFilters {
  userId?: string;
  status?: OrderStatus;
  createdFrom?: Date;
  createdBefore?: Date;
}

export async function listOrders(
  db: Db,
  filters: OrderFilters,
  page: { limit: number; offset: number },
): Promise<{ count: number; rows: OrderRow[] }> {
  const conditions: SQL[] = [];
  if (filters.userId) conditions.push(eq(orders.userId, filters.userId));
  if (filters.status) conditions.push(eq(orders.status, filters.status));
  if (filters.createdFrom) conditions.push(gte(orders.createdAt, filters.createdFrom));
  if (filters.createdBefore) conditions.push(lt(orders.createdAt, filters.createdBefore));
  const where = conditions.length ? and(...conditions) : undefined;
  const [total] = await db.select({ n: count() }).from(orders).where(where);
  const rows = await db
    .select()
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(page.limit)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

export async function itemsOfOrders(db: Db, orderIds: string[]): Promise<OrderItemRow[]> {
  if (!orderIds.length) return [];
  return db
    .select()
    .from(orderItems)
    .where(inArray(orderItems.orderId, orderIds))
    .orderBy(asc(orderItems.orderId), asc(orderItems.position));
}

export async function historyOfOrders(db: Db, orderIds: string[]): Promise<OrderStatusHistoryRow[]> {
  if (!orderIds.length) return [];
  return db
    .select()
    .from(orderStatusHistory)
    .where(inArray(orderStatusHistory.orderId, orderIds))
    .orderBy(asc(orderStatusHistory.createdAt), asc(orderStatusHistory.id));
}

export async function hasDeliveredOrderWithProduct(db: Db, userId: string, productId: string): Promise<boolean> {
  const rows = await db
    .select({ id: orders.id })
    .from(orders)
    .innerJoin(orderItems, eq(orderItems.orderId, orders.id))
    .where(and(eq(orders.userId, userId), eq(orders.status, 'delivered'), eq(orderItems.productId, productId)))
    .limit(1);
  return rows.length > 0;
}
