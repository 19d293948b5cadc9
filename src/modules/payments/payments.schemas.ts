// TypeBox schemas of the payments API (rows are mapped to them in payments.present.ts).
import { type Static, Type } from 'typebox';
import { MoneyInput, MoneyString, Timestamp, Uuid } from '../../core/http.js';
import { PAYMENT_STATUSES } from './payments.tables.js';

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'cash_on_delivery'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const PaymentStatus = Type.Enum(PAYMENT_STATUSES, {
  description: 'pending, requires_action, processing, succeeded, failed, cancelled, refunded, partially_refunded',
});
const Provider = Type.Union([Type.Literal('stripe'), Type.Literal('manual')]);

export const CreateIntentBody = Type.Object({
  order_id: Uuid,
  payment_method: Type.Optional(
    Type.Enum(PAYMENT_METHODS, {
      description: '`card` (Stripe) or an offline method (`bank_transfer`, `cash_on_delivery`); default by provider',
    }),
  ),
});

export const CreateIntentResponse = Type.Object(
  {
    payment_id: Uuid,
    client_secret: Nullable(Type.String({ description: 'For Stripe.js; null for offline payments' })),
    provider: Provider,
    amount: MoneyString,
    currency: Type.String(),
    status: PaymentStatus,
  },
  { title: 'PaymentIntent' },
);
export type CreateIntentJson = Static<typeof CreateIntentResponse>;

export const ConfirmBody = Type.Object({ payment_id: Uuid });

export const PaymentJson = Type.Object(
  {
    id: Uuid,
    order_id: Uuid,
    provider: Provider,
    provider_reference: Nullable(Type.String()),
    amount: MoneyString,
    refunded_amount: MoneyString,
    currency: Type.String(),
    status: PaymentStatus,
    method: Type.String(),
    failure_reason: Nullable(Type.String()),
    next_action: Nullable(Type.Record(Type.String(), Type.Unknown())),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Payment' },
);
export type PaymentBody = Static<typeof PaymentJson>;

export const MarkPaidBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) });

export const RefundBody = Type.Object({
  amount: Type.Optional(MoneyInput),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export const RefundJson = Type.Object(
  {
    id: Uuid,
    payment_id: Uuid,
    amount: MoneyString,
    currency: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    reason: Type.String(),
    failure_reason: Nullable(Type.String()),
    payment_status: PaymentStatus,
    created_at: Timestamp,
  },
  { title: 'Refund' },
);
export type RefundBodyJson = Static<typeof RefundJson>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Retries with the same key return the first result' })),
});

export const WebhookResponse = Type.Object({
  received: Type.Boolean(),
  status: Type.Union([Type.Literal('processed'), Type.Literal('duplicate'), Type.Literal('ignored')]),
});
