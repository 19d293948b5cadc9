// Payments service: create-intent (amount always from the order), confirm (asks the provider, never the
// client), staff mark-paid for offline payments, and reads. Provider calls happen between transactions.
import type { AuthUser } from '../../core/auth.js';
import { isStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import {
  BusinessRuleFailed,
  Conflict,
  fieldError,
  isUniqueViolation,
  NotFound,
  PaymentFailed,
  ServiceUnavailable,
} from '../../core/errors.js';
import { type IdempotentRequest, runIdempotentSteps } from '../../core/idempotency.js';
import type { PageRequest } from '../../core/pagination.js';
import { getOrderForPayment, isClosed, lockOrderForPayment, type OrderForPayment } from '../orders/orders.service.js';
import { applyIntentState, isCaptured, isOpen, recordCapture, syncOrderPaymentStatus } from './payments.lifecycle.js';
import * as repo from './payments.repo.js';
import type { PaymentMethod } from './payments.schemas.js';
import type { PaymentRow } from './payments.tables.js';
import {
  createProviders,
  type IntentState,
  type PaymentProvider,
  type ProviderName,
  ProviderRejected,
  type Providers,
} from './providers/provider.js';

const providerCache = new WeakMap<AppContext, Providers>();

/** The providers of this running app, built once from its config. */
/** The orders cancel hook (wired in src/modules/index.ts). */
export { closeOrderPayments } from './payments.cancel.js';

export function providersOf(ctx: AppContext): Providers {
  let providers = providerCache.get(ctx);
  if (!providers) {
    providers = createProviders(ctx.config);
    providerCache.set(ctx, providers);
  }
  return providers;
}

export function providerOf(ctx: AppContext, name: ProviderName): PaymentProvider {
  const provider = providersOf(ctx)[name];
  if (!provider) throw new ServiceUnavailable(`The ${name} payment provider is not configured.`);
  return provider;
}

/** A provider failure as the API reports it: a refusal is 402, anything else (network, 5xx) is 503. */
export function providerError(ctx: AppContext, error: unknown): Error {
  if (error instanceof ProviderRejected) return new PaymentFailed(error.message);
  ctx.log.warn({ err: error }, 'payment provider call failed');
  return new ServiceUnavailable('The payment provider could not be reached; try again.');
}

const intentKey = (paymentId: string) => `emporium_payment_${paymentId}`;

/**
 * The provider follows PAYMENT_PROVIDER: Stripe takes `card`, the offline provider takes `bank_transfer` and
 * `cash_on_delivery`. Not mixed, because unpaid orders expire on the provider's timeout (30m vs 7d).
 */
function chooseProvider(ctx: AppContext, method: PaymentMethod | undefined): { provider: ProviderName; method: PaymentMethod } {
  if (ctx.config.paymentProvider === 'stripe') {
    if (method !== undefined && method !== 'card') {
      throw fieldError('payment_method', 'Offline payment methods are not available; pay by card.');
    }
    return { provider: 'stripe', method: 'card' };
  }
  if (method === 'card') {
    throw fieldError('payment_method', 'Card payments are not available; use bank_transfer or cash_on_delivery.');
  }
  return { provider: 'manual', method: method ?? 'bank_transfer' };
}

function assertPayable(order: OrderForPayment): void {
  if (order.paymentStatus === 'paid' || ['paid', 'processing', 'shipped', 'delivered'].includes(order.status)) {
    throw new Conflict('This order is already paid.', 'order_already_paid');
  }
  if (order.status !== 'pending') throw new Conflict(`This order is ${order.status} and cannot be paid.`, 'order_not_payable');
  if (order.total <= 0) throw new BusinessRuleFailed('This order has nothing to pay.', 'nothing_to_pay');
}

/** The open attempt of the order for this provider and method, or a new one (a concurrent twin loses the race). */
async function openAttempt(
  ctx: AppContext,
  order: OrderForPayment,
  userId: string,
  choice: { provider: ProviderName; method: PaymentMethod },
): Promise<{ payment: PaymentRow; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction(async (tx) => {
        // the order lock makes "still payable" hold to commit: a concurrent cancel either waits for this
        // attempt (and then closes it) or has already happened (and this answers 409)
        const current = await lockOrderForPayment(tx, order.id);
        if (!current) throw new NotFound('Order not found.');
        assertPayable(current);
        if (await repo.findCapturedPayment(tx, order.id)) throw new Conflict('This order is already paid.', 'order_already_paid');
        const open = await repo.findOpenPayment(tx, order.id);
        if (open && open.provider === choice.provider && open.method === choice.method) return { payment: open, created: false };
        if (open) {
          // The customer switched method: the old attempt is closed (a late success on it still counts).
          const locked = await repo.findPayment(tx, open.id, true);
          if (locked && isOpen(locked.status)) {
            await repo.updatePayment(tx, open.id, { status: 'cancelled', failureReason: 'Replaced by another payment attempt.' });
          }
        }
        const payment = await repo.insertPayment(tx, {
          orderId: order.id,
          userId,
          provider: choice.provider,
          method: choice.method,
          amount: order.total,
          currency: order.currency,
        });
        await syncOrderPaymentStatus(tx, order.id, 'pending');
        return { payment, created: true };
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}

/** Compensation when the provider could not create the intent: the attempt is closed as failed. */
async function failAttempt(ctx: AppContext, paymentId: string, reason: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const payment = await repo.findPayment(tx, paymentId, true);
    if (!payment || payment.providerReference || !isOpen(payment.status)) return;
    await repo.updatePayment(tx, paymentId, { status: 'failed', failureReason: reason });
    await syncOrderPaymentStatus(tx, payment.orderId, 'failed');
  });
}

/** Applies a provider state to the payment under its row lock; wakes the job runner for the jobs it caused. */
export async function applyProviderState(ctx: AppContext, paymentId: string, state: IntentState, note: string) {
  const result = await ctx.db.transaction(async (tx) => {
    const payment = await repo.findPayment(tx, paymentId, true);
    if (!payment) throw new NotFound('Payment not found.');
    return applyIntentState(tx, payment, state, { actorId: null, note }, ctx.now());
  });
  if (result.anomaly) ctx.log.error({ paymentId, anomaly: result.anomaly }, 'payment needs staff attention');
  ctx.jobs.wake();
  return result.payment;
}

/** A started payment attempt: the route answers 201 when `created`, 200 when an open attempt was reused. */
export interface StartedPayment {
  payment: PaymentRow;
  clientSecret: string | null;
  created: boolean;
}

/** What an Idempotency-Key of create-intent remembers. */
interface StoredIntent {
  payment_id: string;
  client_secret: string | null;
  created?: boolean;
}

async function startPayment(
  ctx: AppContext,
  user: AuthUser,
  input: { orderId: string; paymentMethod?: PaymentMethod },
): Promise<StartedPayment> {
  const order = await getOrderForPayment(ctx.db, input.orderId);
  if (!order || order.userId !== user.id) throw new NotFound('Order not found.');
  assertPayable(order);
  const choice = chooseProvider(ctx, input.paymentMethod);
  const provider = providerOf(ctx, choice.provider);
  for (let round = 0; ; round++) {
    const { payment, created } = await openAttempt(ctx, order, user.id, choice);
    let state: IntentState;
    try {
      state = payment.providerReference
        ? await provider.retrieve(payment.providerReference)
        : await provider.createIntent({
            paymentId: payment.id,
            amount: payment.amount,
            currency: payment.currency,
            metadata: { order_id: order.id, order_number: order.orderNumber },
            idempotencyKey: intentKey(payment.id),
          });
    } catch (error) {
      if (!payment.providerReference) await failAttempt(ctx, payment.id, error instanceof Error ? error.message : String(error));
      throw providerError(ctx, error);
    }
    const updated = await applyProviderState(ctx, payment.id, state, 'Payment confirmed by the provider.');
    // A reused intent that died meanwhile (cancelled, declined) is closed now: open a fresh attempt, once.
    if (!created && !isOpen(updated.status) && !isCaptured(updated.status) && round === 0) continue;
    return { payment: updated, clientSecret: state.clientSecret, created };
  }
}

/**
 * create-intent: only the order's owner, only for pending orders, amount from the order. Repeating it reuses
 * the open attempt; with an Idempotency-Key a retry returns the first response.
 */
export async function createPaymentIntent(
  ctx: AppContext,
  user: AuthUser,
  input: { orderId: string; paymentMethod?: PaymentMethod },
  idempotencyKey: string | undefined,
): Promise<StartedPayment & { replayed: boolean }> {
  const request: IdempotentRequest | undefined =
    idempotencyKey === undefined
      ? undefined
      : {
          scope: 'payments.create_intent',
          ownerId: user.id,
          key: idempotencyKey,
          body: { order_id: input.orderId, payment_method: input.paymentMethod },
          now: ctx.now(),
        };
  // the key stores the attempt's id (and the client secret, which only the provider's answer carries)
  const { value, replayed } = await runIdempotentSteps<StoredIntent>(
    ctx.db,
    request,
    async () => {
      const started = await startPayment(ctx, user, input);
      return { payment_id: started.payment.id, client_secret: started.clientSecret, created: started.created };
    },
    (err) => ctx.log.warn({ err }, 'idempotency key release failed'),
  );
  const payment = await repo.findPayment(ctx.db, value.payment_id);
  if (!payment) throw new NotFound('Payment not found.');
  // keys stored before the id-only records kept the whole response (no `created`): they were 201s or 200s alike
  return { payment, clientSecret: value.client_secret, created: value.created ?? true, replayed };
}

async function ownPayment(ctx: AppContext, user: AuthUser, paymentId: string, staffMaySee = false): Promise<PaymentRow> {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (!payment || (payment.userId !== user.id && !(staffMaySee && isStaff(user)))) throw new NotFound('Payment not found.');
  return payment;
}

/** confirm: the provider's real status decides; a declined attempt is recorded, then reported as 402. */
export async function confirmPayment(ctx: AppContext, user: AuthUser, paymentId: string): Promise<PaymentRow> {
  const payment = await ownPayment(ctx, user, paymentId);
  // Offline payments change only by staff's mark-paid: the database is the truth there.
  if (payment.provider === 'manual' || !payment.providerReference || isCaptured(payment.status)) return payment;
  let state: IntentState;
  try {
    state = await providerOf(ctx, payment.provider).retrieve(payment.providerReference);
  } catch (error) {
    throw providerError(ctx, error);
  }
  const updated = await applyProviderState(ctx, payment.id, state, 'Payment confirmed with the provider.');
  if (updated.status === 'failed') throw new PaymentFailed(updated.failureReason ?? 'The payment failed.');
  return updated;
}

/** Staff records an offline payment as received: the payment succeeds and the order becomes paid. */
export async function markPaymentPaid(ctx: AppContext, staff: AuthUser, paymentId: string, note: string | undefined) {
  const payment = await ctx.db.transaction(async (tx) => {
    const locked = await repo.findPayment(tx, paymentId, true);
    if (!locked) throw new NotFound('Payment not found.');
    if (locked.provider !== 'manual') {
      throw new Conflict(
        'Only offline payments are marked paid by staff; card payments are confirmed by the provider.',
        'not_manual_payment',
      );
    }
    if (isCaptured(locked.status)) return locked;
    const order = await getOrderForPayment(tx, locked.orderId);
    if (!order || isClosed(order.status)) {
      throw new Conflict('The order of this payment is no longer payable.', 'order_not_payable');
    }
    const result = await recordCapture(
      tx,
      locked,
      { actorId: staff.id, note: note || 'Payment received (recorded by staff).' },
      ctx.now(),
    );
    if (result.anomaly) throw new Conflict('Another payment already paid this order.', 'order_already_paid');
    return result.payment;
  });
  ctx.jobs.wake();
  return payment;
}

/** Own payments; staff asking for one order's payments (`orderId`) see all of that order's. */
export async function listPayments(ctx: AppContext, user: AuthUser, page: PageRequest, orderId?: string) {
  const userId = orderId && isStaff(user) ? undefined : user.id;
  return repo.listPaymentsOfUser(ctx.db, userId, { limit: page.pageSize, offset: page.offset }, orderId);
}

/** A payment its owner (or staff) may see; 404 for anyone else. */
export async function getPayment(ctx: AppContext, user: AuthUser, paymentId: string): Promise<PaymentRow> {
  return ownPayment(ctx, user, paymentId, true);
}
