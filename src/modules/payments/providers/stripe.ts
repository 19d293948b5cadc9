// Stripe through the official SDK. STRIPE_API_BASE points the SDK at another host (a local fake in tests,
// stripe-mock in staging); statuses are mapped onto ours here and nowhere else. The SDK (~20 MB) is loaded on
// the first call to Stripe, so a process configured for Stripe but never paying through it doesn't carry it.
import type Stripe from 'stripe';
import type { IntentState, IntentStatus, PaymentProvider, RefundResult } from './provider.js';
import { ProviderRejected } from './provider.js';

export interface StripeProviderOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111; the SDK's default (https://api.stripe.com) when absent. */
  apiBase?: string;
}

export async function createStripeClient(options: StripeProviderOptions): Promise<Stripe> {
  const { default: StripeSdk } = await import('stripe');
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new StripeSdk(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

/**
 * Stripe's PaymentIntent status in our words. A failed attempt goes back to `requires_payment_method` with
 * `last_payment_error` set: that is our `failed` (the customer may still retry with another card).
 */
export function mapIntentStatus(intent: Pick<Stripe.PaymentIntent, 'status' | 'last_payment_error'>): IntentStatus {
  switch (intent.status) {
    case 'requires_payment_method':
      return intent.last_payment_error ? 'failed' : 'pending';
    case 'requires_confirmation':
      return 'pending';
    case 'requires_action':
      return 'requires_action';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'cancelled';
    default:
      return 'pending';
  }
}

export function intentStateOf(intent: Stripe.PaymentIntent): IntentState {
  const status = mapIntentStatus(intent);
  const error = intent.last_payment_error;
  return {
    reference: intent.id,
    status,
    clientSecret: intent.client_secret ?? null,
    amount: intent.amount,
    currency: intent.currency.toUpperCase(),
    failureReason:
      status === 'failed'
        ? (error?.message ?? error?.decline_code ?? error?.code ?? 'The payment failed.')
        : status === 'cancelled'
          ? `Cancelled${intent.cancellation_reason ? ` (${intent.cancellation_reason})` : ''}.`
          : null,
    nextAction: status === 'requires_action' && intent.next_action ? { ...intent.next_action } : null,
    raw: intent as unknown as Record<string, unknown>,
  };
}

/** Stripe errors that a retry with the same idempotency key will not fix become ProviderRejected. */
function translateError(error: unknown): never {
  // the SDK's error classes name themselves in `type` (comparing it needs no SDK loaded)
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'StripeCardError' || type === 'StripeInvalidRequestError' || type === 'StripeIdempotencyError') {
    const { message, code } = error as Stripe.errors.StripeError;
    throw new ProviderRejected(message, code);
  }
  throw error;
}

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  let client: Promise<Stripe> | undefined;
  const sdk = () =>
    (client ??= createStripeClient(options).catch((error: unknown) => {
      client = undefined; // a failed load is retried by the next call
      throw error;
    }));
  return {
    name: 'stripe',
    async createIntent(input) {
      const intent = await (await sdk()).paymentIntents
        .create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            metadata: { ...input.metadata, payment_id: input.paymentId },
            automatic_payment_methods: { enabled: true },
          },
          { idempotencyKey: input.idempotencyKey },
        )
        .catch(translateError);
      return intentStateOf(intent);
    },
    async retrieve(reference) {
      const intent = await (await sdk()).paymentIntents.retrieve(reference).catch(translateError);
      return intentStateOf(intent);
    },
    async cancel(reference) {
      const intent = await (await sdk()).paymentIntents
        .cancel(reference, { cancellation_reason: 'abandoned' })
        .catch(translateError);
      return intentStateOf(intent);
    },
    async refund(input): Promise<RefundResult> {
      const refund = await (await sdk()).refunds
        .create(
          { payment_intent: input.reference, amount: input.amount, metadata: input.metadata },
          { idempotencyKey: input.idempotencyKey },
        )
        .catch(translateError);
      const status =
        refund.status === 'succeeded'
          ? 'succeeded'
          : refund.status === 'failed' || refund.status === 'canceled'
            ? 'failed'
            : 'pending';
      return {
        reference: refund.id,
        status,
        failureReason: status === 'failed' ? (refund.failure_reason ?? 'The refund failed.') : null,
      };
    },
  };
}
