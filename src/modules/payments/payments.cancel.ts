// Payments of a cancelled or expired order: its open attempts are closed in the cancelling transaction (the
// orders module calls the hook set here at wiring time), and the provider's intents are cancelled after
// commit by the `payments.cancel_order_payments` job (no network call inside a database transaction).
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { enqueueJob } from '../../core/jobs.js';
import { getOrderForPayment, isClosed } from '../orders/orders.service.js';
import { cancelOrderPaymentsJob } from './payments.jobs.js';
import { applyIntentState, isCaptured, isOpen, syncOrderPaymentStatus } from './payments.lifecycle.js';
import * as repo from './payments.repo.js';
import { providersOf } from './payments.service.js';
import type { PaymentRow } from './payments.tables.js';
import { type IntentState, ProviderRejected } from './providers/provider.js';

const REASON = 'The order was cancelled.';

/**
 * A provider intent that could still take money: not captured, and not known to be cancelled there. The
 * offline provider holds nothing to cancel (money only arrives through staff's mark-paid, refused once the
 * order is cancelled).
 */
function liveAtProvider(payment: PaymentRow): boolean {
  if (payment.provider === 'manual' || !payment.providerReference || isCaptured(payment.status)) return false;
  const remote = (payment.providerPayload as { status?: unknown } | null)?.status;
  return remote !== 'canceled' && remote !== 'succeeded';
}

async function closeOpenAttempts(tx: Db, orderId: string, skipLocked: boolean): Promise<void> {
  const open = await repo.lockOpenPaymentsOfOrder(tx, orderId, skipLocked);
  for (const payment of open) {
    await repo.updatePayment(tx, payment.id, { status: 'cancelled', failureReason: REASON, nextAction: null });
  }
  if (open.length) await syncOrderPaymentStatus(tx, orderId, 'cancelled');
}

/**
 * The orders module's cancel hook, in the cancelling transaction (order row locked): open attempts become
 * `cancelled` and the order's payment_status `unpaid`. SKIP LOCKED, because a confirm or webhook holding a
 * payment row waits for this order's lock next: waiting here would deadlock. The job closes those after commit.
 */
export async function closeOrderPayments(tx: Db, orderId: string): Promise<void> {
  await closeOpenAttempts(tx, orderId, true);
  const rest = await repo.paymentsOfOrder(tx, orderId);
  if (rest.some((p) => isOpen(p.status) || liveAtProvider(p))) {
    await enqueueJob(tx, cancelOrderPaymentsJob, { orderId }, { dedupeKey: `${cancelOrderPaymentsJob.type}:${orderId}` });
  }
}

/** Records what the provider says after our cancel; money that arrived anyway is captured (and refunded). */
async function recordProviderState(ctx: AppContext, paymentId: string, state: IntentState): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const payment = await repo.findPayment(tx, paymentId, true);
    if (!payment || isCaptured(payment.status)) return;
    if (state.status === 'succeeded') {
      await applyIntentState(tx, payment, state, { actorId: null, note: 'Paid after the order was cancelled.' }, ctx.now());
    } else {
      await repo.updatePayment(tx, payment.id, { providerPayload: state.raw });
    }
  });
}

/**
 * Job: closes attempts the cancel had to pass over, then cancels every intent of the order that could still
 * take money. A transient provider error throws (the job runs again); a refusal means the intent is already
 * final, so its real state is read and recorded.
 */
export async function cancelOrderPayments(ctx: AppContext, orderId: string): Promise<void> {
  const order = await getOrderForPayment(ctx.db, orderId);
  if (!order || !isClosed(order.status)) return;
  await ctx.db.transaction((tx) => closeOpenAttempts(tx, orderId, false));
  for (const payment of (await repo.paymentsOfOrder(ctx.db, orderId)).filter(liveAtProvider)) {
    const provider = providersOf(ctx)[payment.provider];
    if (!provider?.cancel) continue;
    const reference = payment.providerReference as string;
    let state: IntentState;
    try {
      state = await provider.cancel(reference);
    } catch (error) {
      if (!(error instanceof ProviderRejected)) throw error;
      state = await provider.retrieve(reference);
    }
    await recordProviderState(ctx, payment.id, state);
  }
  ctx.jobs.wake();
}
