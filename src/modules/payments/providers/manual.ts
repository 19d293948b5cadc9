// The offline provider of the embedded default ("bank transfer / cash on delivery"): no network, no card.
// An attempt stays `pending` until staff record the money as received (mark-paid); refunds are handed back
// offline by staff, so the provider records them as done at once.
import type { CreateIntentInput, IntentState, PaymentProvider, RefundInput, RefundResult } from './provider.js';

function pendingIntent(reference: string, amount: number, currency: string): IntentState {
  return {
    reference,
    status: 'pending',
    clientSecret: null,
    amount,
    currency,
    failureReason: null,
    nextAction: null,
    raw: { object: 'manual_payment', id: reference },
  };
}

export function createManualProvider(): PaymentProvider {
  return {
    name: 'manual',
    async createIntent(input: CreateIntentInput) {
      return pendingIntent(`manual_${input.paymentId}`, input.amount, input.currency);
    },
    async retrieve(reference: string) {
      // The manual provider knows nothing the database does not: staff's mark-paid is the only way forward.
      return pendingIntent(reference, 0, '');
    },
    async refund(input: RefundInput): Promise<RefundResult> {
      return { reference: `manual_refund_${input.idempotencyKey}`, status: 'succeeded', failureReason: null };
    },
  };
}
