import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../../core/columns.js';
import { users } from '../accounts/accounts.tables.js';
import { orders } from '../orders/orders.tables.js';

export const PAYMENT_STATUSES = [
  'pending',
  'requires_action',
  'processing',
  'succeeded',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Statuses of an attempt that may still turn into money; create-intent reuses such an attempt. */
export const OPEN_PAYMENT_STATUSES = ['pending', 'requires_action', 'processing'] as const;
/** Statuses of an attempt that took the money (possibly given back since). */
export const CAPTURED_PAYMENT_STATUSES = ['succeeded', 'partially_refunded', 'refunded'] as const;

/**
 * One payment attempt for an order. Amounts are minor units of `currency`, always copied from the order.
 * Partial unique indexes keep at most one open and at most one captured attempt per order.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'restrict' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    provider: text('provider').notNull().$type<'stripe' | 'manual'>(),
    /** The provider's id of the attempt (Stripe PaymentIntent id). */
    providerReference: text('provider_reference'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    status: text('status').notNull().default('pending').$type<PaymentStatus>(),
    method: text('method').notNull(),
    failureReason: text('failure_reason'),
    /** What the customer must do next (3-D Secure), as the provider described it. */
    nextAction: jsonb('next_action').$type<Record<string, unknown>>(),
    /** The provider's last view of the attempt, for support and audits. */
    providerPayload: jsonb('provider_payload').$type<Record<string, unknown>>(),
    succeededAt: timestamp('succeeded_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check(
      'payments_status_check',
      sql`${t.status} in ('pending', 'requires_action', 'processing', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded')`,
    ),
    check('payments_amount_check', sql`${t.amount} > 0`),
    check('payments_refunded_amount_check', sql`${t.refundedAmount} >= 0 and ${t.refundedAmount} <= ${t.amount}`),
    uniqueIndex('payments_provider_reference_key').on(t.provider, t.providerReference),
    uniqueIndex('payments_one_open_per_order')
      .on(t.orderId)
      .where(sql`${t.status} in ('pending', 'requires_action', 'processing')`),
    uniqueIndex('payments_one_captured_per_order')
      .on(t.orderId)
      .where(sql`${t.status} in ('succeeded', 'partially_refunded', 'refunded')`),
    index('payments_user_idx').on(t.userId, t.createdAt),
  ],
);

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/**
 * A refund of (part of) a captured payment. The row is written `pending` before the provider is called, so
 * the provider's idempotency key can be derived from its id and a crash between the two is recoverable.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull().default('pending').$type<RefundStatus>(),
    reason: text('reason').notNull().default(''),
    providerReference: text('provider_reference'),
    failureReason: text('failure_reason'),
    /** Who asked: a staff user, or null for the automatic refund of a cancelled order. */
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Makes a repeated request (Idempotency-Key, or the cancel job re-running) find the same refund. */
    requestKey: text('request_key').unique(),
    ...timestamps,
  },
  (t) => [
    check('refunds_status_check', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
    check('refunds_amount_check', sql`${t.amount} > 0`),
    index('refunds_payment_idx').on(t.paymentId),
  ],
);

/** Stripe events already applied; the row commits with the event's effect, so a redelivery is a no-op. */
export const paymentWebhookEvents = pgTable('payment_webhook_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
