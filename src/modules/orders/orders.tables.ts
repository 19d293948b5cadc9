import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../../core/columns.js';
import type { AddressSnapshot } from '../accounts/accounts.service.js';
import { users } from '../accounts/accounts.tables.js';
import { products, productVariants } from '../catalog/catalog.tables.js';
import type { OrderPaymentStatus, OrderStatus } from './order-status.js';

/** An address as copied into an order: later edits of the address book never change a placed order. */
export type OrderAddress = AddressSnapshot;

/**
 * Coupons. `value` is basis points of a percent for `percentage` (1500 = 15%) and minor units of `currency`
 * for `fixed`. `used_count` only moves through a conditional UPDATE, and the CHECK backs the limit.
 */
export const coupons = pgTable(
  'coupons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    description: text('description').notNull().default(''),
    discountType: text('discount_type').notNull().$type<'percentage' | 'fixed'>(),
    value: integer('value').notNull(),
    currency: text('currency').notNull(),
    minimumSubtotal: integer('minimum_subtotal').notNull().default(0),
    maximumDiscount: integer('maximum_discount'),
    validFrom: timestamp('valid_from', { withTimezone: true }),
    validTo: timestamp('valid_to', { withTimezone: true }),
    usageLimit: integer('usage_limit'),
    perUserLimit: integer('per_user_limit'),
    usedCount: integer('used_count').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('coupons_code_key').on(t.code),
    check('coupons_code_upper', sql`${t.code} = upper(${t.code})`),
    check('coupons_type_check', sql`${t.discountType} in ('percentage', 'fixed')`),
    check('coupons_value_check', sql`${t.value} > 0 and (${t.discountType} <> 'percentage' or ${t.value} <= 10000)`),
    check(
      'coupons_used_count_check',
      sql`${t.usedCount} >= 0 and (${t.usageLimit} is null or ${t.usedCount} <= ${t.usageLimit})`,
    ),
    check('coupons_limits_check', sql`coalesce(${t.usageLimit}, 1) >= 0 and coalesce(${t.perUserLimit}, 1) >= 1`),
  ],
);

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNumber: text('order_number').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    email: text('email').notNull(),
    status: text('status').notNull().default('pending').$type<OrderStatus>(),
    paymentStatus: text('payment_status').notNull().default('unpaid').$type<OrderPaymentStatus>(),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    taxAmount: integer('tax_amount').notNull(),
    shippingCost: integer('shipping_cost').notNull(),
    discountAmount: integer('discount_amount').notNull(),
    total: integer('total').notNull(),
    couponId: uuid('coupon_id').references(() => coupons.id, { onDelete: 'set null' }),
    couponCode: text('coupon_code'),
    shippingAddress: jsonb('shipping_address').notNull().$type<OrderAddress>(),
    billingAddress: jsonb('billing_address').notNull().$type<OrderAddress>(),
    notes: text('notes').notNull().default(''),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** Set once when the order's stock went back to the shelf (cancel or refund): never twice. */
    stockRestoredAt: timestamp('stock_restored_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('orders_order_number_key').on(t.orderNumber),
    index('orders_user_created_idx').on(t.userId, t.createdAt),
    index('orders_status_created_idx').on(t.status, t.createdAt),
    index('orders_created_idx').on(t.createdAt),
    check(
      'orders_status_check',
      sql`${t.status} in ('pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded')`,
    ),
    check(
      'orders_payment_status_check',
      sql`${t.paymentStatus} in ('unpaid', 'pending', 'paid', 'failed', 'refunded', 'partially_refunded')`,
    ),
    check(
      'orders_amounts_check',
      sql`${t.subtotal} >= 0 and ${t.taxAmount} >= 0 and ${t.shippingCost} >= 0 and ${t.discountAmount} >= 0 and ${t.total} >= 0`,
    ),
    check('orders_total_check', sql`${t.total} = ${t.subtotal} - ${t.discountAmount} + ${t.taxAmount} + ${t.shippingCost}`),
  ],
);

/** Snapshot of what was bought: later catalog edits never change it. */
export const orderItems = pgTable(
  'order_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: uuid('product_id').references(() => products.id, { onDelete: 'set null' }),
    variantId: uuid('variant_id').references(() => productVariants.id, { onDelete: 'set null' }),
    productName: text('product_name').notNull(),
    variantName: text('variant_name').notNull(),
    sku: text('sku').notNull(),
    options: jsonb('options').notNull().$type<Record<string, string>>(),
    unitPrice: integer('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
    lineTotal: integer('line_total').notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    index('order_items_order_idx').on(t.orderId),
    index('order_items_product_idx').on(t.productId),
    check('order_items_quantity_check', sql`${t.quantity} > 0`),
    check('order_items_line_total_check', sql`${t.lineTotal} = ${t.unitPrice} * ${t.quantity}`),
  ],
);

export const orderStatusHistory = pgTable(
  'order_status_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status').$type<OrderStatus>(),
    toStatus: text('to_status').notNull().$type<OrderStatus>(),
    note: text('note').notNull().default(''),
    /** Who made the change; null for the system (timeouts, webhooks). */
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('order_status_history_order_idx').on(t.orderId, t.createdAt)],
);

/** One row per order that used a coupon: per-user limits count these. */
export const couponRedemptions = pgTable(
  'coupon_redemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    couponId: uuid('coupon_id')
      .notNull()
      .references(() => coupons.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('coupon_redemptions_order_key').on(t.orderId),
    index('coupon_redemptions_user_idx').on(t.couponId, t.userId),
  ],
);

export type CouponRow = typeof coupons.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderStatusHistoryRow = typeof orderStatusHistory.$inferSelect;
