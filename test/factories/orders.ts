// Factories and helpers for carts, coupons, addresses and orders: rows where the test only needs state,
// the real API where the path itself matters (cart -> checkout).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { App } from '../../src/core/module.js';
import { type AddressRow, addresses, type UserRow } from '../../src/modules/accounts/accounts.tables.js';
import { type CouponRow, coupons } from '../../src/modules/orders/orders.tables.js';
import { authHeader, makeUser } from './users.js';

export const SHIPPING_ADDRESS = {
  full_name: 'Ada Lovelace',
  line1: '12 Analytical St',
  city: 'London',
  postal_code: 'N1 1AA',
  country: 'GB',
};

export async function makeAddress(app: App, user: Pick<UserRow, 'id'>, overrides: Partial<typeof addresses.$inferInsert> = {}) {
  const [row] = await app.ctx.db
    .insert(addresses)
    .values({
      userId: user.id,
      fullName: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
      ...overrides,
    })
    .returning();
  return row as AddressRow;
}

/** A coupon row; `value` is basis points for percentage (1000 = 10%) and minor units for fixed. */
export async function makeCoupon(app: App, overrides: Partial<typeof coupons.$inferInsert> = {}): Promise<CouponRow> {
  const [row] = await app.ctx.db
    .insert(coupons)
    .values({
      code: `SAVE${randomUUID().slice(0, 6).toUpperCase()}`,
      discountType: 'percentage',
      value: 1000,
      currency: app.ctx.config.currency,
      ...overrides,
    })
    .returning();
  return row as CouponRow;
}

type Headers = Record<string, string>;

/** Adds a variant to the cart of whoever `headers` identify; asserts it worked. */
export async function addToCart(app: App, headers: Headers, variantId: string, quantity = 1) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/cart/items/',
    headers,
    payload: { variant_id: variantId, quantity },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** A new customer with these lines in their cart; returns their auth headers. */
export async function buyerWithCart(app: App, lines: { variantId: string; quantity: number }[]): Promise<Headers> {
  const headers = await authHeader(app, await makeUser(app));
  for (const line of lines) await addToCart(app, headers, line.variantId, line.quantity);
  return headers;
}

export function checkout(app: App, headers: Headers, payload: Record<string, unknown> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/orders/',
    headers,
    payload: { shipping_address: SHIPPING_ADDRESS, ...payload },
  });
}

/** A placed order for `user`: fills the cart with the lines and checks out; asserts 201. */
export async function placeOrder(
  app: App,
  user: Pick<UserRow, 'id' | 'isStaff' | 'isSuperuser'>,
  lines: { variantId: string; quantity?: number }[],
  payload: Record<string, unknown> = {},
) {
  const headers = await authHeader(app, user);
  for (const line of lines) await addToCart(app, headers, line.variantId, line.quantity ?? 1);
  const res = await checkout(app, headers, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
