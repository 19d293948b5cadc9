// How a provider's view of an attempt changes our payment and its order, inside the caller's transaction.
// Callers hold the payment row lock (findPayment(tx, id, true)), so confirm, webhooks, mark-paid and refunds
// of one payment serialize, and every transition here is idempotent: applying the same state twice, or an
// older state after a newer one, leaves the same result. A captured payment never moves back.
import type { Db } from '../../core/db.js';
import { enqueueJob } from '../../core/jobs.js';
import { refundOrderJob } from '../orders/orders.jobs.js';
import {
  type Actor,
  getOrderForPayment,
  isClosed,
  MONEY_SETTLED,
  markOrderPaid,
  markOrderRefunded,
  type OrderPaymentStatus,
  setOrderPaymentStatus,
} from '../orders/orders.service.js';
import * as repo from './payments.repo.js';
import { CAPTURED_PAYMENT_STATUSES, OPEN_PAYMENT_STATUSES, type PaymentRow, type PaymentStatus } from './payments.tables.js';
import type { IntentState } from './providers/provider.js';

export type { Actor } from '../orders/orders.service.js';

export const isCaptured = (status: PaymentStatus) => (CAPTURED_PAYMENT_STATUSES as readonly PaymentStatus[]).includes(status);
export const isOpen = (status: PaymentStatus) => (OPEN_PAYMENT_STATUSES as readonly PaymentStatus[]).includes(status);

export const DUPLICATE_CAPTURE =
  'Duplicate payment: the order was already paid by another payment; this one must be refunded by staff.';

export interface ApplyResult {
  payment: PaymentRow;
  /** True when this call moved the order from pending to paid. */
  orderPaid: boolean;
  /** Set when money arrived that staff must look at (a second capture, an amount that differs from ours). */
  anomaly: string | null;
}

/** The order's payment_status for an attempt's status, or undefined to leave it. */
function orderPaymentStatusFor(status: PaymentStatus): OrderPaymentStatus | undefined {
  if (isOpen(status)) return 'pending';
  if (status === 'failed') return 'failed';
  if (status === 'cancelled') return 'unpaid';
  return undefined;
}

/** Reflects an open/failed attempt on the order, never overwriting a payment status that money decided. */
export async function syncOrderPaymentStatus(tx: Db, orderId: string, status: PaymentStatus): Promise<void> {
  const target = orderPaymentStatusFor(status);
  if (!target) return;
  const order = await getOrderForPayment(tx, orderId);
  if (!order || order.paymentStatus === target) return;
  if (MONEY_SETTLED.includes(order.paymentStatus)) return;
  await setOrderPaymentStatus(tx, orderId, target);
}

/**
 * Records that `payment` took the money: payment succeeded and the order pending -> paid (history, email job).
 * Money for an order that is already cancelled or refunded is sent back by the refund job.
 */
export async function recordCapture(
  tx: Db,
  payment: PaymentRow,
  actor: Actor,
  now: Date,
  changes: repo.PaymentChanges = {},
): Promise<ApplyResult> {
  if (isCaptured(payment.status)) return { payment, orderPaid: false, anomaly: null };
  const other = await repo.findCapturedPayment(tx, payment.orderId, payment.id);
  if (other) {
    const updated = await repo.updatePayment(tx, payment.id, { ...changes, status: 'failed', failureReason: DUPLICATE_CAPTURE });
    return { payment: updated, orderPaid: false, anomaly: DUPLICATE_CAPTURE };
  }
  const orderPaid = await markOrderPaid(tx, payment.orderId, actor, now);
  const updated = await repo.updatePayment(tx, payment.id, {
    ...changes,
    status: 'succeeded',
    succeededAt: now,
    failureReason: null,
    nextAction: null,
  });
  if (!orderPaid) {
    const order = await getOrderForPayment(tx, payment.orderId);
    if (order && isClosed(order.status)) {
      await enqueueJob(
        tx,
        refundOrderJob,
        { orderId: payment.orderId },
        { dedupeKey: `${refundOrderJob.type}:late:${payment.id}` },
      );
    }
  }
  return { payment: updated, orderPaid, anomaly: null };
}

/** Applies what the provider says about the attempt (confirm, create-intent, webhook). */
export async function applyIntentState(
  tx: Db,
  payment: PaymentRow,
  state: IntentState,
  actor: Actor,
  now: Date,
): Promise<ApplyResult> {
  const unchanged: ApplyResult = { payment, orderPaid: false, anomaly: null };
  if (isCaptured(payment.status)) return unchanged;
  const base: repo.PaymentChanges = { providerPayload: state.raw };
  if (!payment.providerReference) base.providerReference = state.reference;
  if (state.status === 'succeeded') {
    if (state.amount !== payment.amount || state.currency.toUpperCase() !== payment.currency) {
      // Never pay an order with a different amount than its own, whatever the provider says.
      const anomaly = `The provider captured ${state.amount} ${state.currency.toUpperCase()} instead of ${payment.amount} ${payment.currency}; staff must check this payment.`;
      const updated = await repo.updatePayment(tx, payment.id, { ...base, status: 'failed', failureReason: anomaly });
      return { payment: updated, orderPaid: false, anomaly };
    }
    return recordCapture(tx, payment, actor, now, base);
  }
  // Stripe never revives a cancelled intent except by taking the money: anything else is an older event.
  if (payment.status === 'cancelled') return unchanged;
  const { status } = state;
  if (isOpen(status) && !isOpen(payment.status)) {
    // A failed attempt the customer is retrying: fine, unless another attempt is open for the order by now.
    const open = await repo.findOpenPayment(tx, payment.orderId);
    if (open && open.id !== payment.id) return { ...unchanged, payment: await repo.updatePayment(tx, payment.id, base) };
  }
  const updated = await repo.updatePayment(tx, payment.id, {
    ...base,
    status,
    failureReason: status === 'failed' || status === 'cancelled' ? state.failureReason : null,
    nextAction: status === 'requires_action' ? state.nextAction : null,
  });
  if (status !== payment.status) await syncOrderPaymentStatus(tx, payment.orderId, status);
  return { payment: updated, orderPaid: false, anomaly: null };
}

/**
 * Moves the payment's refunded total up to `refundedTotal` (never down: refunds only add up) and, when the
 * whole amount is back, marks the order refunded (stock restored once by the orders module).
 */
export async function recordRefundedTotal(
  tx: Db,
  payment: PaymentRow,
  refundedTotal: number,
  actor: Actor,
  now: Date,
): Promise<PaymentRow> {
  const total = Math.min(payment.amount, Math.max(payment.refundedAmount, refundedTotal));
  if (total <= payment.refundedAmount) return payment;
  const full = total >= payment.amount;
  const updated = await repo.updatePayment(tx, payment.id, {
    refundedAmount: total,
    status: full ? 'refunded' : 'partially_refunded',
  });
  if (full) await markOrderRefunded(tx, payment.orderId, actor, now);
  else await setOrderPaymentStatus(tx, payment.orderId, 'partially_refunded');
  return updated;
}
