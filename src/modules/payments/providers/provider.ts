// What the payments service needs from a payment provider: create an intent, read its real status, refund.
// Providers make network calls, so they are only ever called outside database transactions.
import type { Config } from '../../../config.js';
import { createManualProvider } from './manual.js';
import { createStripeProvider } from './stripe.js';

export type ProviderName = 'stripe' | 'manual';

/** An attempt's status in our words; every provider maps its own statuses onto these. */
export type IntentStatus = 'pending' | 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

export interface IntentState {
  /** The provider's id of the attempt (Stripe PaymentIntent id). */
  reference: string;
  status: IntentStatus;
  /** Given to the storefront to complete the payment client-side; null when there is nothing to complete. */
  clientSecret: string | null;
  amount: number;
  currency: string;
  failureReason: string | null;
  /** What the customer must do next (3-D Secure redirect...), when status is `requires_action`. */
  nextAction: Record<string, unknown> | null;
  /** The provider's object as received, kept for audits. */
  raw: Record<string, unknown>;
}

export interface CreateIntentInput {
  paymentId: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  /** Same key, same intent: derived from our payment id so a retry never creates a second intent. */
  idempotencyKey: string;
}

export interface RefundInput {
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  metadata: Record<string, string>;
}

export interface RefundResult {
  reference: string;
  status: 'pending' | 'succeeded' | 'failed';
  failureReason: string | null;
}

export interface PaymentProvider {
  name: ProviderName;
  createIntent(input: CreateIntentInput): Promise<IntentState>;
  retrieve(reference: string): Promise<IntentState>;
  refund(input: RefundInput): Promise<RefundResult>;
  /**
   * Cancels an attempt at the provider so it can no longer take money (order cancelled or expired). Absent
   * when the provider holds nothing to cancel (the offline provider). Throws ProviderRejected when the
   * attempt can no longer be cancelled (it succeeded or was cancelled already).
   */
  cancel?(reference: string): Promise<IntentState>;
}

/**
 * The provider refused the request for a reason a retry will not fix (declined, invalid amount...).
 * Anything else a provider throws (network, 5xx) is treated as transient.
 */
export class ProviderRejected extends Error {
  constructor(
    message: string,
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'ProviderRejected';
  }
}

export type Providers = Partial<Record<ProviderName, PaymentProvider>>;

/** The providers this configuration can use: `manual` always, `stripe` when a secret key is set. */
export function createProviders(config: Config): Providers {
  const providers: Providers = { manual: createManualProvider() };
  if (config.stripeSecretKey) {
    providers.stripe = createStripeProvider({ secretKey: config.stripeSecretKey, apiBase: config.stripeApiBase });
  }
  return providers;
}
