// Orders service: order reads, cancellation, staff status changes, unpaid-order expiry, and the functions
// payments calls and the verified-purchase check wired into catalog (listed in src/modules/README.md). Checkout
// itself lives in checkout.service.ts.
import type { AuthUser } from '../../core/auth.js';
import { isStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { type Db, retryTransient } from '../../core/db.js';
import { Forbidden, NotFound } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { invalidateProductCache } from '../catalog/catalog.service.js';
import { isRefundable, type OrderPaymentStatus, type OrderStatus } from './order-status.js';
import {
  type Actor,
  applyCancel,
  applyPaid,
  applyRefund,
  applySimpleTransition,
  enqueueProductCacheInvalidation,
} from './orders.lifecycle.js';
import * as repo from './orders.repo.js';
import type { OrderItemRow, OrderRow, OrderStatusHistoryRow } from './orders.tables.js';

export { CLOSED, isClosed, MONEY_SETTLED, type OrderPaymentStatus, type OrderStatus } from './order-status.js';
export type { Actor } from './orders.lifecycle.js';

export interface OrderForPayment {
  id: string;
  orderNumber: string;
  userId: string;
  status: OrderStatus;
  paymentStatus: OrderPaymentStatus;
  /** Minor units. */
  total: number;
  currency: string;
}

export interface OrderDetail {
  order: OrderRow;
  items: OrderItemRow[];
  history: OrderStatusHistoryRow[];
}

// ---- contracts with other modules -------------------------------------------------------------------------

/** True when the user has a delivered order containing this product (reviews' "verified purchase"). */
export async function hasDeliveredOrderWithProduct(db: Db, userId: string, productId: string): Promise<boolean> {
  return repo.hasDeliveredOrderWithProduct(db, userId, productId);
}

/** What payments need of an order: its money and its states. */
const forPayment = (order: OrderRow): OrderForPayment => ({
  id: order.id,
  orderNumber: order.orderNumber,
  userId: order.userId,
  status: order.status,
  paymentStatus: order.paymentStatus,
  total: order.total,
  currency: order.currency,
});

export async function getOrderForPayment(db: Db, orderId: string): Promise<OrderForPayment | undefined> {
  const order = await repo.findOrder(db, orderId);
  return order && forPayment(order);
}

/** Like getOrderForPayment, holding the order row lock to commit (a cancel then waits, or has happened). */
export async function lockOrderForPayment(tx: Db, orderId: string): Promise<OrderForPayment | undefined> {
  const order = await repo.lockOrder(tx, orderId);
  return order && forPayment(order);
}

export { setOrderCancelHook } from './orders.lifecycle.js';

/**
 * pending -> paid with history, payment_status 'paid' and the order-paid email job, in `tx`. Locks the order
 * row; returns false and changes nothing when the order is not pending (already paid, cancelled...).
 */
export async function markOrderPaid(tx: Db, orderId: string, actor: Actor, now: Date): Promise<boolean> {
  const order = await repo.lockOrder(tx, orderId);
  if (order?.status !== 'pending') return false;
  await applyPaid(tx, order, actor, now);
  return true;
}

export async function setOrderPaymentStatus(tx: Db, orderId: string, paymentStatus: OrderPaymentStatus): Promise<void> {
  await repo.updateOrder(tx, orderId, { paymentStatus });
}

/**
 * After a full refund: status -> refunded when legal (paid|processing|shipped|delivered) with history and
 * stock restored unless already restored; payment_status 'refunded' in every case (a cancelled order keeps
 * its status). Product caches are invalidated by a job enqueued in `tx`.
 */
export async function markOrderRefunded(tx: Db, orderId: string, actor: Actor, now: Date): Promise<void> {
  const order = await repo.lockOrder(tx, orderId);
  if (!order) return;
  if (isRefundable(order.status)) {
    const productIds = await applyRefund(tx, order, actor, now, false);
    await enqueueProductCacheInvalidation(tx, productIds);
  } else {
    await repo.updateOrder(tx, orderId, { paymentStatus: 'refunded' });
  }
}

// ---- reads ------------------------------------------------------------------------------------------------

async function loadDetails(db: Db, rows: OrderRow[]): Promise<OrderDetail[]> {
  const ids = rows.map((r) => r.id);
  const [items, history] = await Promise.all([repo.itemsOfOrders(db, ids), repo.historyOfOrders(db, ids)]);
  return rows.map((order) => ({
    order,
    items: items.filter((i) => i.orderId === order.id),
    history: history.filter((h) => h.orderId === order.id),
  }));
}

export async function loadOrderDetail(db: Db, orderId: string): Promise<OrderDetail | undefined> {
  const order = await repo.findOrder(db, orderId);
  return order ? (await loadDetails(db, [order]))[0] : undefined;
}

/** The order if this user may see it (owner or staff); otherwise 404, never 403. */
export async function getOrder(ctx: AppContext, user: AuthUser, orderId: string): Promise<OrderDetail> {
  const detail = await loadOrderDetail(ctx.db, orderId);
  if (!detail || (detail.order.userId !== user.id && !isStaff(user))) throw new NotFound();
  return detail;
}

export interface OrderListQuery {
  all?: boolean;
  status?: OrderStatus;
  userId?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  email?: string;
  orderNumber?: string;
  ordering?: repo.OrderOrdering;
}

function filtersFor(user: AuthUser, query: OrderListQuery): repo.OrderFilters {
  if (query.all && !isStaff(user)) throw new Forbidden('Only staff may list all orders.');
  if (!query.all && (query.userId || query.email || query.orderNumber)) {
    throw new Forbidden('Only staff may filter by user, email or order number (with all=true).');
  }
  return {
    userId: query.all ? query.userId : user.id,
    status: query.status,
    createdFrom: query.createdFrom,
    createdBefore: query.createdBefore,
    email: query.email,
    orderNumber: query.orderNumber,
  };
}

/** Own orders newest first; staff with `all` see everyone's, filtered. */
export async function listOrders(ctx: AppContext, user: AuthUser, query: OrderListQuery, page: PageRequest) {
  const filters = filtersFor(user, query);
  const { count, rows } = await repo.listOrders(ctx.db, filters, { limit: page.pageSize, offset: page.offset }, query.ordering);
  return { count, results: await loadDetails(ctx.db, rows) };
}

export type OrderExportRow = OrderRow & { itemQuantity: number };

/**
 * The orders `listOrders` would list for this query, in the same order, as keyset batches of `batchSize`:
 * exports stream them without holding the whole result.
 */
export async function* exportOrders(
  ctx: AppContext,
  user: AuthUser,
  query: OrderListQuery,
  batchSize = 500,
): AsyncGenerator<OrderExportRow[]> {
  const filters = filtersFor(user, query);
  let afterId: string | undefined;
  for (;;) {
    const batch = await repo.orderBatchAfter(ctx.db, filters, query.ordering, afterId, batchSize);
    if (batch.length) yield batch;
    if (batch.length < batchSize) return;
    afterId = batch.at(-1)?.id;
  }
}

export { orderQueryFrom } from './orders.present.js';
export { OrderFilterQuery } from './orders.schemas.js';

// ---- changes ----------------------------------------------------------------------------------------------

async function afterStockChange(ctx: AppContext, productIds: string[]) {
  ctx.jobs.wake();
  if (productIds.length) {
    await invalidateProductCache(ctx, productIds).catch((err) => ctx.log.warn({ err }, 'product cache invalidation failed'));
  }
}

/** Owner or staff cancels a pending|paid|processing order; stock comes back exactly once. */
export async function cancelOrder(ctx: AppContext, user: AuthUser, orderId: string, reason: string): Promise<OrderDetail> {
  const productIds = await retryTransient(() =>
    ctx.db.transaction(async (tx) => {
      const order = await repo.lockOrder(tx, orderId);
      if (!order || (order.userId !== user.id && !isStaff(user))) throw new NotFound();
      const note = reason || (order.userId === user.id ? 'Cancelled by the customer.' : 'Cancelled by staff.');
      return applyCancel(tx, order, { actorId: user.id, note }, ctx.now());
    }),
  );
  await afterStockChange(ctx, productIds);
  return (await loadOrderDetail(ctx.db, orderId)) as OrderDetail;
}

/** Staff moves an order along a legal transition (409 otherwise), with a history row naming who and why. */
export async function changeOrderStatus(
  ctx: AppContext,
  staff: AuthUser,
  orderId: string,
  input: { status: OrderStatus; note: string },
): Promise<OrderDetail> {
  const productIds = await retryTransient(() =>
    ctx.db.transaction(async (tx) => {
      const order = await repo.lockOrder(tx, orderId);
      if (!order) throw new NotFound();
      const actor = { actorId: staff.id, note: input.note };
      const now = ctx.now();
      switch (input.status) {
        case 'cancelled':
          return applyCancel(tx, order, actor, now);
        case 'refunded':
          return applyRefund(tx, order, actor, now, true);
        case 'paid':
          await applyPaid(tx, order, actor, now);
          return [];
        default:
          await applySimpleTransition(tx, order, input.status, actor, now);
          return [];
      }
    }),
  );
  await afterStockChange(ctx, productIds);
  return (await loadOrderDetail(ctx.db, orderId)) as OrderDetail;
}

/** Job: a still-pending order past its payment deadline is cancelled and its stock released. */
export async function expireUnpaidOrder(ctx: AppContext, orderId: string): Promise<boolean> {
  const productIds = await ctx.db.transaction(async (tx) => {
    const order = await repo.lockOrder(tx, orderId);
    if (order?.status !== 'pending') return undefined;
    return applyCancel(tx, order, { actorId: null, note: 'Payment was not received in time.' }, ctx.now());
  });
  if (productIds === undefined) return false;
  await afterStockChange(ctx, productIds);
  return true;
}
