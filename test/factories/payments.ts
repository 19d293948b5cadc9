import { eq, sql } from 'drizzle-orm';
import type { App } from '../../src/core/module.js';
import type { UserRow } from '../../src/modules/accounts/accounts.tables.js';
import { productVariants } from '../../src/modules/catalog/catalog.tables.js';
import { type OrderRow, orderItems, orders } from '../../src/modules/orders/orders.tables.js';
import { payments } from '../../src/modules/payments/payments.tables.js';
import { makeOrderRow } from './admin.js';
import { makeProduct } from './catalog.js';

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
  const row = await makeOrderRow(app, user, { total, currency });
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
