// Status changes of an order inside the caller's transaction, each with its history row, its stock effects
// and the jobs it causes (outbox). Callers lock the order row first (lockOrder), so two changes of one order
// serialize and stock goes back to the shelf at most once (`stock_restored_at`).
import type { Db } from '../../core/db.js';
import { enqueueJob, enqueueJobs, type JobRow, jobRow } from '../../core/jobs.js';
import { releaseStock } from '../catalog/inventory.service.js';
import { notifyOrderStatus, recordOrderStatusEvent } from '../notifications/notifications.service.js';
import { releaseRedemption } from './coupons.repo.js';
import { assertTransition, MONEY_HELD, type OrderPaymentStatus, type OrderStatus } from './order-status.js';
import { invalidateProductCacheJob, orderEmailJob, refundOrderJob } from './orders.jobs.js';
import { insertStatusHistory, itemsOfOrders, updateOrder } from './orders.repo.js';
import type { OrderRow } from './orders.tables.js';

export type OrderEmailKind = 'confirmation' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

/** Who made a change (null: the system) and why: recorded in order history and on payment changes. */
export interface Actor {
  actorId: string | null;
  note: string;
}

/** One email per order and kind, ever (dedupe key), sent by the `orders.send_email` job. */
export async function enqueueOrderEmail(tx: Db, orderId: string, kind: OrderEmailKind): Promise<void> {
  await enqueueJobs(tx, [orderEmailJobRow(orderId, kind)]);
}

/** The order email job as a row for `enqueueJobs` (checkout writes it with its other jobs in one statement). */
export function orderEmailJobRow(orderId: string, kind: OrderEmailKind): JobRow {
  return jobRow(orderEmailJob, { orderId, kind }, { dedupeKey: `orders.email:${orderId}:${kind}` });
}

/** Cache invalidation for code that has no context after commit (e.g. payments calling markOrderRefunded). */
export async function enqueueProductCacheInvalidation(tx: Db, productIds: string[]): Promise<void> {
  if (productIds.length) await enqueueJob(tx, invalidateProductCacheJob, { productIds });
}

async function transition(
  tx: Db,
  order: OrderRow,
  to: OrderStatus,
  actor: Actor,
  now: Date,
  changes: { paymentStatus?: OrderPaymentStatus; paidAt?: Date; cancelledAt?: Date } = {},
): Promise<void> {
  const from = order.status;
  assertTransition(from, to);
  await updateOrder(tx, order.id, { status: to, ...changes });
  await insertStatusHistory(tx, { orderId: order.id, fromStatus: from, toStatus: to, note: actor.note, actorId: actor.actorId });
  await recordOrderStatusEvent(tx, order, { from, to, at: now });
  order.status = to;
  if (changes.paymentStatus) order.paymentStatus = changes.paymentStatus;
}

/** Puts the order's items back in stock unless that already happened. Returns the products touched. */
export async function restoreOrderStock(tx: Db, order: OrderRow, now: Date): Promise<string[]> {
  if (order.stockRestoredAt) return [];
  const items = await itemsOfOrders(tx, [order.id]);
  const productIds = await releaseStock(
    tx,
    items.filter((i) => i.variantId !== null).map((i) => ({ variantId: i.variantId as string, quantity: i.quantity })),
  );
  await updateOrder(tx, order.id, { stockRestoredAt: now });
  order.stockRestoredAt = now;
  return productIds;
}

/**
 * Closes the order's open payment attempts inside the cancelling transaction (and queues whatever must happen
 * at the provider after commit). The payments module sets it at wiring time: orders must not import payments.
 */
export type OrderCancelHook = (tx: Db, orderId: string) => Promise<void>;
let cancelHook: OrderCancelHook | undefined;

export function setOrderCancelHook(hook: OrderCancelHook): void {
  cancelHook = hook;
}

/** Money is held for the order (all of it, or what a partial refund left), so undoing it needs a refund. */
const holdsCapturedMoney = (order: OrderRow) => MONEY_HELD.includes(order.paymentStatus);

/**
 * pending|paid|processing -> cancelled: open payment attempts closed (cancel hook), stock back (once), coupon
 * use given back, a refund job when money was captured (the payments module handles `payments.refund_order`),
 * and the cancellation email.
 */
export async function applyCancel(tx: Db, order: OrderRow, actor: Actor, now: Date): Promise<string[]> {
  const wasPaid = holdsCapturedMoney(order);
  await transition(tx, order, 'cancelled', actor, now, { cancelledAt: now });
  await cancelHook?.(tx, order.id);
  const productIds = await restoreOrderStock(tx, order, now);
  await releaseRedemption(tx, order.id);
  if (wasPaid) await enqueueJob(tx, refundOrderJob, { orderId: order.id }, { dedupeKey: `${refundOrderJob.type}:${order.id}` });
  await enqueueOrderEmail(tx, order.id, 'cancelled');
  await notifyOrderStatus(tx, order, 'cancelled');
  return productIds;
}

export async function applyPaid(tx: Db, order: OrderRow, actor: Actor, now: Date): Promise<void> {
  await transition(tx, order, 'paid', actor, now, { paymentStatus: 'paid', paidAt: now });
  await enqueueOrderEmail(tx, order.id, 'paid');
  await notifyOrderStatus(tx, order, 'paid');
}

/**
 * -> refunded: stock back (once). `requestRefund` asks payments to return captured money (staff action);
 * payments itself passes false, since it calls this after refunding.
 */
export async function applyRefund(tx: Db, order: OrderRow, actor: Actor, now: Date, requestRefund: boolean): Promise<string[]> {
  const wasPaid = holdsCapturedMoney(order);
  await transition(tx, order, 'refunded', actor, now, requestRefund ? {} : { paymentStatus: 'refunded' });
  const productIds = await restoreOrderStock(tx, order, now);
  if (requestRefund && wasPaid) {
    await enqueueJob(tx, refundOrderJob, { orderId: order.id }, { dedupeKey: `${refundOrderJob.type}:${order.id}` });
  }
  await enqueueOrderEmail(tx, order.id, 'refunded');
  await notifyOrderStatus(tx, order, 'refunded');
  return productIds;
}

/** Any other legal change (processing, shipped, delivered), with its notification email. */
export async function applySimpleTransition(tx: Db, order: OrderRow, to: OrderStatus, actor: Actor, now: Date): Promise<void> {
  await transition(tx, order, to, actor, now);
  if (to === 'shipped' || to === 'delivered') await enqueueOrderEmail(tx, order.id, to);
  if (to === 'shipped' || to === 'delivered') await notifyOrderStatus(tx, order, to);
}
