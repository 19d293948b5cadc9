// Payments rows -> the JSON of the payments API (money as decimal strings).
import { formatMoney } from '../../core/money.js';
import type { CreateIntentJson, PaymentBody, RefundBodyJson } from './payments.schemas.js';
import type { PaymentRow, RefundRow } from './payments.tables.js';

const iso = (d: Date) => d.toISOString();

export function paymentJson(p: PaymentRow): PaymentBody {
  return {
    id: p.id,
    order_id: p.orderId,
    provider: p.provider,
    provider_reference: p.providerReference,
    amount: formatMoney(p.amount, p.currency),
    refunded_amount: formatMoney(p.refundedAmount, p.currency),
    currency: p.currency,
    status: p.status,
    method: p.method,
    failure_reason: p.failureReason,
    next_action: p.nextAction ?? null,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function intentJson(p: PaymentRow, clientSecret: string | null): CreateIntentJson {
  return {
    payment_id: p.id,
    client_secret: clientSecret,
    provider: p.provider,
    amount: formatMoney(p.amount, p.currency),
    currency: p.currency,
    status: p.status,
  };
}

export function refundJson(r: RefundRow, payment: PaymentRow): RefundBodyJson {
  return {
    id: r.id,
    payment_id: r.paymentId,
    amount: formatMoney(r.amount, r.currency),
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    failure_reason: r.failureReason,
    payment_status: payment.status,
    created_at: iso(r.createdAt),
  };
}
