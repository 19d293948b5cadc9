// Stripe webhooks: the signature is checked on the raw body with the SDK, then the event is applied in ONE
// transaction together with the row that records its id, so a redelivered event changes nothing.
import type Stripe from 'stripe';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { BadRequest, ServiceUnavailable } from '../../core/errors.js';
import { isUuid } from '../../core/http.js';
import { type Actor, applyIntentState, isCaptured, recordCapture, recordRefundedTotal } from './payments.lifecycle.js';
import * as repo from './payments.repo.js';
import type { PaymentRow } from './payments.tables.js';
import type { IntentStatus } from './providers/provider.js';
import { intentStateOf } from './providers/stripe.js';

export type WebhookResult = 'processed' | 'duplicate' | 'ignored';

/** Verifies `Stripe-Signature` over the exact bytes received (default tolerance: 5 minutes). */
export async function verifyStripeEvent(
  ctx: AppContext,
  raw: Buffer,
  signature: string | string[] | undefined,
): Promise<Stripe.Event> {
  const secret = ctx.config.stripeWebhookSecret;
  if (!secret) throw new ServiceUnavailable('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).');
  if (typeof signature !== 'string' || !signature) throw new BadRequest('Missing Stripe-Signature header.', 'invalid_signature');
  const { default: StripeSdk } = await import('stripe'); // loaded on the first webhook
  try {
    return StripeSdk.webhooks.constructEvent(raw, signature, secret);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequest(`Invalid Stripe-Signature: ${reason}`, 'invalid_signature');
  }
}

const INTENT_EVENTS: Record<string, IntentStatus> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'cancelled',
  'payment_intent.processing': 'processing',
  'payment_intent.requires_action': 'requires_action',
};

async function paymentOfIntent(tx: Db, intentId: string, metadata: Record<string, string> | null | undefined) {
  const byReference = await repo.findPaymentByReference(tx, 'stripe', intentId);
  if (byReference) return byReference;
  // The intent was created but our row never got its reference (crash between the two): metadata links them.
  const paymentId = metadata?.payment_id;
  const payment = isUuid(paymentId) ? await repo.findPayment(tx, paymentId) : undefined;
  return payment?.provider === 'stripe' && !payment.providerReference ? payment : undefined;
}

async function applyIntentEvent(
  ctx: AppContext,
  tx: Db,
  event: Stripe.Event,
  status: IntentStatus,
  actor: Actor,
): Promise<WebhookResult> {
  const intent = event.data.object as Stripe.PaymentIntent;
  const found = await paymentOfIntent(tx, intent.id, intent.metadata);
  if (!found) return 'ignored';
  const payment = (await repo.findPayment(tx, found.id, true)) as PaymentRow;
  const state = intentStateOf(intent);
  const result = await applyIntentState(
    tx,
    payment,
    { ...state, status, failureReason: state.failureReason ?? (status === 'failed' ? 'The payment failed.' : null) },
    actor,
    ctx.now(),
  );
  if (result.anomaly)
    ctx.log.error({ paymentId: payment.id, eventId: event.id, anomaly: result.anomaly }, 'payment needs staff attention');
  return 'processed';
}

/** charge.refunded: refunds made here or in the Stripe dashboard; the refunded total only ever grows. */
async function applyChargeRefunded(tx: Db, event: Stripe.Event, actor: Actor, now: Date): Promise<WebhookResult> {
  const charge = event.data.object as Stripe.Charge;
  const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (!intentId) return 'ignored';
  const found = await repo.findPaymentByReference(tx, 'stripe', intentId);
  if (!found) return 'ignored';
  let payment = (await repo.findPayment(tx, found.id, true)) as PaymentRow;
  // A refund proves the money was captured, even if the success event has not been applied yet.
  if (!isCaptured(payment.status)) payment = (await recordCapture(tx, payment, actor, now)).payment;
  if (!isCaptured(payment.status)) return 'processed'; // a duplicate capture: left to staff
  const references = (charge.refunds?.data ?? []).filter((r) => r.status === 'succeeded').map((r) => r.id);
  await repo.settleRefundsByReference(tx, payment.id, references);
  await recordRefundedTotal(tx, payment, charge.amount_refunded, actor, now);
  return 'processed';
}

/** Applies a verified event once; unknown types are acknowledged and ignored. */
export async function handleStripeEvent(ctx: AppContext, event: Stripe.Event): Promise<WebhookResult> {
  const actor: Actor = { actorId: null, note: `Stripe event ${event.type} (${event.id}).` };
  const result = await ctx.db.transaction(async (tx): Promise<WebhookResult> => {
    if (!(await repo.recordWebhookEvent(tx, event.id, event.type))) return 'duplicate';
    const intentStatus = INTENT_EVENTS[event.type];
    if (intentStatus) return applyIntentEvent(ctx, tx, event, intentStatus, actor);
    if (event.type === 'charge.refunded') return applyChargeRefunded(tx, event, actor, ctx.now());
    return 'ignored';
  });
  ctx.jobs.wake();
  return result;
}
