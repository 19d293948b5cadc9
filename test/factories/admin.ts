// Rows for admin tests: orders in any status/time without going through checkout, and jobs in any state.
import { randomUUID } from 'node:crypto';
import { jobs } from '../../src/core/jobs.tables.js';
import type { App } from '../../src/core/module.js';
import type { UserRow } from '../../src/modules/accounts/accounts.tables.js';
import type { OrderStatus } from '../../src/modules/orders/order-status.js';
import { type OrderRow, orders } from '../../src/modules/orders/orders.tables.js';

/** The shipping and billing address of factory-made orders. */
export const ORDER_ADDRESS = {
  fullName: 'Test User',
  phone: '',
  line1: '1 Main St',
  line2: '',
  city: 'Springfield',
  state: '',
  postalCode: '12345',
  country: 'US',
};

/** An order row (no items) with the given status, total (minor units) and creation time. */
export async function makeOrderRow(
  app: App,
  user: Pick<UserRow, 'id' | 'email'>,
  values: {
    status?: OrderStatus;
    total?: number;
    currency?: string;
    createdAt?: Date;
    email?: string;
    orderNumber?: string;
  } = {},
): Promise<OrderRow> {
  const total = values.total ?? 1000;
  const [row] = await app.ctx.db
    .insert(orders)
    .values({
      orderNumber: values.orderNumber ?? `ORD-${randomUUID().slice(0, 8).toUpperCase()}`,
      userId: user.id,
      email: values.email ?? user.email,
      status: values.status ?? 'pending',
      currency: values.currency ?? app.ctx.config.currency,
      subtotal: total,
      taxAmount: 0,
      shippingCost: 0,
      discountAmount: 0,
      total,
      shippingAddress: ORDER_ADDRESS,
      billingAddress: ORDER_ADDRESS,
      ...(values.createdAt ? { createdAt: values.createdAt, updatedAt: values.createdAt } : {}),
    })
    .returning();
  return row as OrderRow;
}

export async function makeJob(app: App, values: Partial<typeof jobs.$inferInsert> = {}) {
  const [row] = await app.ctx.db
    .insert(jobs)
    .values({ type: 'test.noop', payload: { orderId: randomUUID() }, ...values })
    .returning();
  return row as typeof jobs.$inferSelect;
}
