// Refunds: a pending refund row is written first (under the payment's row lock, so two refunds can never
// give back more than was paid), the provider is called outside any transaction with an idempotency key
// derived from the refund id, then the outcome is recorded. A crash or network error in between leaves a
// pending row that a retry (same key, so no second refund at the provider) completes.
import type { AuthUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { BusinessRuleFailed, Conflict, fieldError, NotFound } from '../../core/errors.js';
import { type IdempotentRequest, runIdempotentSteps } from '../../core/idempotency.js';
import { enqueueJob } from '../../core/jobs.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import { getOrderForPayment, setOrderPaymentStatus } from '../orders/orders.service.js';
import { retryRefundJob } from './payments.jobs.js';
import { type Actor, recordRefundedTotal } from './payments.lifecycle.js';
import * as repo from './payments.repo.js';
import { providerOf } from './payments.service.js';
import type { PaymentRow, RefundRow } from './payments.tables.js';
import { ProviderRejected, type RefundResult } from './providers/provider.js';

export interface RefundRequest {
  /** Minor units; the whole refundable rest when absent. */
  amount?: number;
  reason: string;
  actorId: string | null;
  /** The same key finds the same refund (staff Idempotency-Key, the cancel job re-running). */
  requestKey?: string;
}

export interface RefundOutcome {
  refund: RefundRow;
  payment: PaymentRow;
  /** Set when the provider could not be reached: the refund stays pending and a retry job is queued. */
  transientError?: unknown;
}

const RETRY_DELAY_MS = 60_000;
const refundKey = (refundId: string) => `emporium_refund_${refundId}`;

/** Writes the pending refund row (or finds the one this request key already made). */
async function openRefund(ctx: AppContext, paymentId: string, request: RefundRequest): Promise<RefundOutcome> {
  return ctx.db.transaction(async (tx) => {
    const payment = await repo.findPayment(tx, paymentId, true);
    if (!payment) throw new NotFound('Payment not found.');
    if (request.requestKey) {
      const existing = await repo.findRefundByRequestKey(tx, request.requestKey);
      if (existing) return { refund: existing, payment };
    }
    if (payment.status === 'refunded') throw new Conflict('This payment is already fully refunded.', 'already_refunded');
    if (payment.status !== 'succeeded' && payment.status !== 'partially_refunded') {
      throw new Conflict('Only a succeeded payment can be refunded.', 'payment_not_refundable');
    }
    const succeeded = await repo.sumRefunds(tx, payment.id, ['succeeded']);
    const pending = await repo.sumRefunds(tx, payment.id, ['pending']);
    const refundable = payment.amount - Math.max(payment.refundedAmount, succeeded) - pending;
    if (refundable <= 0) throw new Conflict('Nothing is left to refund on this payment.', 'nothing_to_refund');
    const amount = request.amount ?? refundable;
    if (amount <= 0) throw fieldError('amount', 'Ensure this value is greater than 0.');
    if (amount > refundable) {
      throw fieldError('amount', `Ensure this value is less than or equal to ${formatMoney(refundable, payment.currency)}.`);
    }
    const refund = await repo.insertRefund(tx, {
      paymentId: payment.id,
      amount,
      currency: payment.currency,
      reason: request.reason,
      createdBy: request.actorId,
      requestKey: request.requestKey,
    });
    return { refund, payment };
  });
}

/** Records what the provider answered, once: a refund that is no longer pending is left as it is. */
async function recordRefundOutcome(
  ctx: AppContext,
  refundId: string,
  result: RefundResult,
  actor: Actor,
): Promise<RefundOutcome> {
  const outcome = await ctx.db.transaction(async (tx) => {
    const current = await repo.findRefund(tx, refundId);
    if (!current) throw new NotFound('Refund not found.');
    const payment = (await repo.findPayment(tx, current.paymentId, true)) as PaymentRow;
    const refund = (await repo.findRefund(tx, refundId, true)) as RefundRow;
    if (refund.status !== 'pending') return { refund, payment };
    const updated = await repo.updateRefund(tx, refundId, {
      status: result.status,
      providerReference: result.reference || refund.providerReference,
      failureReason: result.failureReason,
    });
    if (result.status !== 'succeeded') return { refund: updated, payment };
    const refundedTotal = await repo.sumRefunds(tx, payment.id, ['succeeded']);
    return { refund: updated, payment: await recordRefundedTotal(tx, payment, refundedTotal, actor, ctx.now()) };
  });
  ctx.jobs.wake();
  return outcome;
}

/** Calls the provider for a pending refund and records the outcome. Safe to repeat: same idempotency key. */
async function executeRefund(ctx: AppContext, refund: RefundRow, payment: PaymentRow, actor: Actor): Promise<RefundOutcome> {
  let result: RefundResult;
  try {
    result = await providerOf(ctx, payment.provider).refund({
      reference: payment.providerReference ?? '',
      amount: refund.amount,
      currency: refund.currency,
      idempotencyKey: refundKey(refund.id),
      metadata: { refund_id: refund.id, payment_id: payment.id, order_id: payment.orderId },
    });
  } catch (error) {
    if (error instanceof ProviderRejected) {
      // Compensation: the refund is closed as failed, which frees its amount for another attempt.
      await recordRefundOutcome(ctx, refund.id, { reference: '', status: 'failed', failureReason: error.message }, actor);
      throw new BusinessRuleFailed(`The payment provider refused the refund: ${error.message}`, 'refund_failed');
    }
    ctx.log.warn({ err: error, refundId: refund.id }, 'refund call failed; retrying later');
    await ctx.db.transaction((tx) =>
      enqueueJob(
        tx,
        retryRefundJob,
        { refundId: refund.id },
        { runAt: new Date(ctx.now().getTime() + RETRY_DELAY_MS), dedupeKey: `${retryRefundJob.type}:${refund.id}` },
      ),
    );
    ctx.jobs.wake();
    return { refund, payment, transientError: error };
  }
  return recordRefundOutcome(ctx, refund.id, result, actor);
}

/** Refunds (part of) a captured payment through its provider; a full refund marks the order refunded. */
export async function refundPayment(ctx: AppContext, paymentId: string, request: RefundRequest): Promise<RefundOutcome> {
  const opened = await openRefund(ctx, paymentId, request);
  if (opened.refund.status !== 'pending') return opened;
  return executeRefund(ctx, opened.refund, opened.payment, {
    actorId: request.actorId,
    note: request.reason || 'Payment refunded.',
  });
}

/**
 * Staff refund endpoint: full or partial, Idempotency-Key aware (the key stores the refund's id; a replay
 * reloads the refund as it is now). The route answers 201 when done, 202 while still pending.
 */
export async function refundPaymentByStaff(
  ctx: AppContext,
  staff: AuthUser,
  paymentId: string,
  input: { amount?: string | number; reason?: string },
  idempotencyKey: string | undefined,
): Promise<{ refund: RefundRow; payment: PaymentRow }> {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (!payment) throw new NotFound('Payment not found.');
  const amount = input.amount === undefined ? undefined : parseMoney(input.amount, payment.currency, 'amount');
  const request: IdempotentRequest | undefined =
    idempotencyKey === undefined
      ? undefined
      : {
          scope: 'payments.refund',
          ownerId: staff.id,
          key: idempotencyKey,
          body: { payment_id: paymentId, amount, reason: input.reason ?? '' },
          now: ctx.now(),
        };
  // the refund row remembers the key too, so a retry after a lost response finds the same refund
  const requestKey = idempotencyKey === undefined ? undefined : `staff:${staff.id}:${idempotencyKey}`;
  const { value } = await runIdempotentSteps<{ refund_id?: string; id?: string }>(
    ctx.db,
    request,
    async () => {
      const outcome = await refundPayment(ctx, paymentId, { amount, reason: input.reason ?? '', actorId: staff.id, requestKey });
      return { refund_id: outcome.refund.id };
    },
    (err) => ctx.log.warn({ err }, 'idempotency key release failed'),
  );
  // keys stored before the id-only records kept the whole refund JSON, whose `id` is the refund's
  const refund = await repo.findRefund(ctx.db, (value.refund_id ?? value.id) as string);
  const current = refund && (await repo.findPayment(ctx.db, refund.paymentId));
  if (!refund || !current) throw new NotFound('Refund not found.');
  return { refund, payment: current };
}

/**
 * Job `payments.refund_order` (cancel or staff refund of a paid order, or money that arrived after the
 * order was cancelled): refunds the rest of every captured payment of the order. Throws on a transient
 * provider error so the job runs again; the request key makes a rerun continue the same refunds.
 */
export async function refundOrder(ctx: AppContext, orderId: string): Promise<void> {
  const payments = await repo.refundablePaymentsOfOrder(ctx.db, orderId);
  const status = payments.length ? (await getOrderForPayment(ctx.db, orderId))?.status : undefined;
  for (const payment of payments) {
    const outcome = await refundPayment(ctx, payment.id, {
      reason: status === 'cancelled' ? 'Order cancelled.' : 'Order refunded.',
      actorId: null,
      requestKey: `order_refund:${payment.id}`,
    });
    if (outcome.transientError) throw outcome.transientError;
    if (outcome.refund.status === 'failed') {
      ctx.log.error({ orderId, refundId: outcome.refund.id }, 'the provider refused the refund of a cancelled order');
    }
  }
  if (payments.length) return; // a full refund already set the order's payment status (markOrderRefunded)
  const order = await getOrderForPayment(ctx.db, orderId);
  if (order?.paymentStatus === 'paid') {
    // Marked paid without a recorded payment (staff status change): the money goes back offline.
    ctx.log.warn({ orderId }, 'paid order without a captured payment cancelled; refund it offline');
    await ctx.db.transaction((tx) => setOrderPaymentStatus(tx, orderId, 'refunded'));
  }
}

/** Job `payments.retry_refund`: completes a refund whose provider call failed in transit. */
export async function retryRefund(ctx: AppContext, refundId: string): Promise<void> {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (refund?.status !== 'pending') return;
  const payment = (await repo.findPayment(ctx.db, refund.paymentId)) as PaymentRow;
  const outcome = await executeRefund(ctx, refund, payment, {
    actorId: refund.createdBy,
    note: refund.reason || 'Payment refunded.',
  });
  if (outcome.transientError) throw outcome.transientError;
}
