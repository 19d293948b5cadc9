// Factories for payment tests: a pending order as checkout would leave it (stock already reserved), and a
// Stripe-backed test app pointed at the in-process fake Stripe server.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { App } from '../../src/core/module.js';
import type { UserRow } from '../../src/modules/accounts/accounts.tables.js';
import { productVariants } from '../../src/modules/catalog/catalog.tables.js';
import { type OrderRow, orderItems, orders } from '../../src/modules/orders/orders.tables.js';
import { payments } from '../../src/modules/payments/payments.tables.js';
import type { FakeStripe } from '../fake-stripe.js';
import { createTestApp } from '../setup/test-app.js';
import { makeProduct } from './catalog.js';

const address = {
  fullName: 'Test User',
  phone: '',
  line1: '1 Main St',
  line2: '',
  city: 'Springfield',
  state: '',
  postalCode: '12345',
  country: 'US',
};

export interface MadeOrder extends OrderRow {
  variantId: string;
  quantity: number;
}

/**
 * A pending order of `quantity` units of a fresh product priced `unitPrice` (minor units), with the stock
 * taken as checkout would have reserved it. Total = unitPrice * quantity (no tax, shipping or discount).
 */
export async function makePendingOrder(
  app: App,
  user: Pick<UserRow, 'id' | 'email'>,
  options: { unitPrice?: number; quantity?: number; stock?: number; currency?: string } = {},
): Promise<MadeOrder> {
  const unitPrice = options.unitPrice ?? 2500;
  const quantity = options.quantity ?? 2;
  const currency = options.currency ?? app.ctx.config.currency;
  const product = await makeProduct(app, { price: unitPrice, currency, variants: [{ stockQuantity: options.stock ?? 10 }] });
  const variant = product.variants[0] as (typeof product.variants)[number];
  const total = unitPrice * quantity;
  const [order] = await app.ctx.db
    .insert(orders)
    .values({
      orderNumber: `ORD-${randomUUID().slice(0, 8).toUpperCase()}`,
      userId: user.id,
      email: user.email,
      currency,
      subtotal: total,
      taxAmount: 0,
      shippingCost: 0,
      discountAmount: 0,
      total,
      shippingAddress: address,
      billingAddress: address,
    })
    .returning();
  const row = order as OrderRow;
  await app.ctx.db.insert(orderItems).values({
    orderId: row.id,
    productId: product.id,
    variantId: variant.id,
    productName: product.name,
    variantName: variant.name,
    sku: variant.sku,
    options: {},
    unitPrice,
    quantity,
    lineTotal: total,
  });
  await app.ctx.db
    .update(productVariants)
    .set({ stockQuantity: sql`${productVariants.stockQuantity} - ${quantity}` })
    .where(eq(productVariants.id, variant.id));
  return { ...row, variantId: variant.id, quantity };
}

export async function orderRow(app: App, orderId: string): Promise<OrderRow> {
  const [row] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
  return row as OrderRow;
}

export async function stockOf(app: App, variantId: string): Promise<number> {
  const [row] = await app.ctx.db.select().from(productVariants).where(eq(productVariants.id, variantId));
  return row?.stockQuantity ?? Number.NaN;
}

export async function paymentsOfOrder(app: App, orderId: string) {
  return app.ctx.db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(payments.createdAt);
}

/** A test app whose Stripe provider talks to `fake`. */
export function createStripeTestApp(fake: FakeStripe, env: Record<string, string> = {}): Promise<App> {
  return createTestApp({ env: { ...fake.env, ...env } });
}
