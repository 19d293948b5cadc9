// All SQL for orders, their items and status history. Every function takes the db or transaction first.
import { and, asc, count, eq, gte, ilike, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import type { OrderPaymentStatus, OrderStatus } from './order-status.js';
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
): Promise<OrderStatusHistoryRow> {
  const [inserted] = await db.insert(orderStatusHistory).values(row).returning();
  return inserted as OrderStatusHistoryRow;
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
    paymentStatus?: OrderPaymentStatus;
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
  /** Substring of the customer email, case-insensitive. */
  email?: string;
  orderNumber?: string;
}

export const ORDER_ORDERINGS = ['created_at', '-created_at', 'total', '-total', 'order_number', '-order_number'] as const;
export type OrderOrdering = (typeof ORDER_ORDERINGS)[number];

const orderColumns = { created_at: 'created_at', total: 'total', order_number: 'order_number' } as const;

function orderConditions(filters: OrderFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.userId) conditions.push(eq(orders.userId, filters.userId));
  if (filters.status) conditions.push(eq(orders.status, filters.status));
  if (filters.createdFrom) conditions.push(gte(orders.createdAt, filters.createdFrom));
  if (filters.createdBefore) conditions.push(lt(orders.createdAt, filters.createdBefore));
  if (filters.email) conditions.push(ilike(orders.email, `%${filters.email.replace(/[\\%_]/g, '\\$&')}%`));
  if (filters.orderNumber) conditions.push(eq(orders.orderNumber, filters.orderNumber.trim().toUpperCase()));
  return conditions;
}

/** ORDER BY for an ordering, the id last so equal values keep a stable order (and keyset pages are exact). */
function orderBy(ordering: OrderOrdering = '-created_at'): { column: string; descending: boolean; sql: SQL[] } {
  const descending = ordering.startsWith('-');
  const column = orderColumns[ordering.replace(/^-/, '') as keyof typeof orderColumns];
  const dir = sql.raw(descending ? 'desc' : 'asc');
  return { column, descending, sql: [sql`${sql.raw(`orders.${column}`)} ${dir}`, sql`orders.id ${dir}`] };
}

export async function listOrders(
  db: Db,
  filters: OrderFilters,
  page: { limit: number; offset: number },
  ordering?: OrderOrdering,
): Promise<{ count: number; rows: OrderRow[] }> {
  const conditions = orderConditions(filters);
  const where = conditions.length ? and(...conditions) : undefined;
  const [total] = await db.select({ n: count() }).from(orders).where(where);
  const rows = await db
    .select()
    .from(orders)
    .where(where)
    .orderBy(...orderBy(ordering).sql)
    .limit(page.limit)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

/** One keyset batch for exports: the orders after `afterId` in this ordering, with their units bought. */
export async function orderBatchAfter(
  db: Db,
  filters: OrderFilters,
  ordering: OrderOrdering | undefined,
  afterId: string | undefined,
  limit: number,
): Promise<(OrderRow & { itemQuantity: number })[]> {
  const conditions = orderConditions(filters);
  const order = orderBy(ordering);
  if (afterId) {
    const pivot = sql`(select ${sql.raw(order.column)}, id from orders where id = ${afterId})`;
    const row = sql`(${sql.raw(`orders.${order.column}`)}, orders.id)`;
    conditions.push(order.descending ? sql`${row} < ${pivot}` : sql`${row} > ${pivot}`);
  }
  const rows = await db
    .select({
      order: orders,
      itemQuantity: sql<number>`(select coalesce(sum(quantity), 0)::int from order_items where order_id = orders.id)`,
    })
    .from(orders)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...order.sql)
    .limit(limit);
  return rows.map((r) => ({ ...r.order, itemQuantity: Number(r.itemQuantity) }));
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
