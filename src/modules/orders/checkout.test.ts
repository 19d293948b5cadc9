import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { mailsTo } from '../../../test/factories/mail.js';
import { addToCart, checkout, makeAddress, makeCoupon, placeOrder, SHIPPING_ADDRESS } from '../../../test/factories/orders.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { runJob } from '../../../test/support/jobs.js';
import { queryRows } from '../../core/db.js';
import { jobs } from '../../core/jobs.tables.js';
import { productVariants } from '../catalog/catalog.tables.js';
import { coupons, orders } from './orders.tables.js';

const { app } = useTestApp({
  env: { TAX_RATE: '0.1', TAX_RATES: 'DE:0.19', SHIPPING_FLAT_RATE: '500', FREE_SHIPPING_THRESHOLD: '5000' },
});

const stockOf = async (variantId: string) =>
  (await app.ctx.db.select().from(productVariants).where(eq(productVariants.id, variantId)))[0]!.stockQuantity;

async function buyer(lines: { variantId: string; quantity: number }[]) {
  const user = await makeUser(app);
  const headers = await authHeader(app, user);
  for (const line of lines) await addToCart(app, headers, line.variantId, line.quantity);
  return { user, headers };
}

describe('checkout', () => {
  it('creates a pending order with item snapshots, history and the address, and empties the cart', async () => {
    const product = await makeProduct(app, {
      name: 'Teapot',
      variants: [{ sku: 'TEA-1', name: 'Blue', options: { colour: 'blue' }, stockQuantity: 5 }],
    });
    const { user, headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 2 }]);
    const res = await checkout(app, headers, { notes: 'Leave at the door' });
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order.order_number).toMatch(/^EMP-\d{8}-[0-9A-Z]{6}$/);
    expect(order).toMatchObject({ status: 'pending', payment_status: 'unpaid', user_id: user.id, notes: 'Leave at the door' });
    expect(order.items).toEqual([
      expect.objectContaining({
        product_name: 'Teapot',
        variant_name: 'Blue',
        sku: 'TEA-1',
        options: { colour: 'blue' },
        unit_price: '19.99',
        quantity: 2,
        line_total: '39.98',
      }),
    ]);
    expect(order.shipping_address).toMatchObject({ full_name: 'Ada Lovelace', country: 'GB' });
    expect(order.billing_address).toEqual(order.shipping_address);
    expect(order.status_history).toEqual([
      expect.objectContaining({ from_status: null, status: 'pending', changed_by: user.id }),
    ]);
    expect(await stockOf(product.variants[0]!.id)).toBe(3);
    const cart = await app.inject({ method: 'GET', url: '/api/v1/cart/', headers });
    expect(cart.json().items).toEqual([]);
  });

  it('requires a logged-in user', async () => {
    const res = await checkout(app, {});
    expect(res.statusCode).toBe(401);
  });

  it('refuses an empty cart with 422', async () => {
    const user = await makeUser(app);
    const res = await checkout(app, await authHeader(app, user));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('cart_empty');
  });

  it('copies an address from the address book and refuses another user’s', async () => {
    const product = await makeProduct(app);
    const { user, headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const mine = await makeAddress(app, user, { city: 'Shelbyville' });
    const theirs = await makeAddress(app, await makeUser(app));
    const refused = await checkout(app, headers, { shipping_address: undefined, shipping_address_id: theirs.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.shipping_address_id).toBeDefined();
    const res = await checkout(app, headers, { shipping_address: undefined, shipping_address_id: mine.id });
    expect(res.statusCode).toBe(201);
    expect(res.json().shipping_address).toMatchObject({ city: 'Shelbyville', country: 'US' });
  });

  it('falls back to the default shipping address and copies a separate billing address', async () => {
    const product = await makeProduct(app);
    const { user, headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    await makeAddress(app, user, { city: 'Default City', isDefaultShipping: true });
    const billing = await makeAddress(app, user, { city: 'Billing City' });
    const res = await checkout(app, headers, { shipping_address: undefined, billing_address_id: billing.id });
    expect(res.statusCode).toBe(201);
    expect(res.json().shipping_address.city).toBe('Default City');
    expect(res.json().billing_address.city).toBe('Billing City');
  });

  it('requires a shipping address, with a field error', async () => {
    const product = await makeProduct(app);
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const res = await checkout(app, headers, { shipping_address: undefined });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.shipping_address_id).toBeDefined();
  });

  it('refuses with 409 out_of_stock when stock fell below the cart, changing nothing', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 5 }] });
    const other = await makeProduct(app, { variants: [{ stockQuantity: 5 }] });
    const { headers } = await buyer([
      { variantId: other.variants[0]!.id, quantity: 1 },
      { variantId: product.variants[0]!.id, quantity: 3 },
    ]);
    await app.ctx.db.update(productVariants).set({ stockQuantity: 2 }).where(eq(productVariants.id, product.variants[0]!.id));
    const res = await checkout(app, headers);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'out_of_stock', variant_id: product.variants[0]!.id, available: 2 });
    expect(await stockOf(other.variants[0]!.id)).toBe(5);
    expect(await stockOf(product.variants[0]!.id)).toBe(2);
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json().items).toHaveLength(2);
  });

  it('refuses an order whose total would not fit the money columns with 422, changing nothing', async () => {
    const product = await makeProduct(app, { price: 2_000_000_000, variants: [{ stockQuantity: 5 }] });
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 2 }]);
    const res = await checkout(app, headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('order_too_large');
    expect(await stockOf(product.variants[0]!.id)).toBe(5);
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json().items).toHaveLength(1);
  });

  it('refuses with 409 when a cart item was deactivated', async () => {
    const product = await makeProduct(app);
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    await app.ctx.db.update(productVariants).set({ isActive: false }).where(eq(productVariants.id, product.variants[0]!.id));
    const res = await checkout(app, headers);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('unavailable');
  });

  it('enqueues the confirmation email and the payment timeout in the order’s transaction', async () => {
    const product = await makeProduct(app);
    const user = await makeUser(app);
    const before = Date.now();
    const order = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
    const rows = await app.ctx.db.select().from(jobs).where(sql`${jobs.payload}->>'orderId' = ${order.id}`);
    expect(rows.map((r) => r.type).sort()).toEqual(['orders.expire_unpaid', 'orders.send_email']);
    const expiry = rows.find((r) => r.type === 'orders.expire_unpaid')!;
    // manual provider in tests: MANUAL_PAYMENT_TIMEOUT (7 days)
    expect(expiry.runAt.getTime()).toBeGreaterThanOrEqual(before + 7 * 86400_000 - 5000);
    await app.ctx.jobs.runDue();
    const mails = await mailsTo(app, user.email);
    expect(mails.map((m) => m.subject)).toContain(`We received your order ${order.order_number}`);
  });

  it('enqueues a low-stock alert when the order takes a variant to its threshold', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 6, lowStockThreshold: 3 }] });
    await placeOrder(app, await makeUser(app), [{ variantId: product.variants[0]!.id, quantity: 2 }]);
    const alertsOf = () =>
      app.ctx.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.type, 'orders.low_stock_alert'), sql`${jobs.payload}->>'variantId' = ${product.variants[0]!.id}`));
    expect(await alertsOf()).toHaveLength(0);
    await placeOrder(app, await makeUser(app), [{ variantId: product.variants[0]!.id, quantity: 1 }]);
    expect(await alertsOf()).toHaveLength(1);
    expect((await alertsOf())[0]!.payload).toMatchObject({ stockQuantity: 3, threshold: 3 });
    const staff = await makeStaff(app);
    await app.ctx.jobs.runDue();
    expect((await mailsTo(app, staff.email)).map((m) => m.subject)).toContain(`Low stock: ${product.variants[0]!.sku}`);
  });

  it('leaves stock, cart, coupon usage and jobs unchanged when a failure follows the stock decrement', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 7 }] });
    const coupon = await makeCoupon(app, { usageLimit: 5 });
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 2 }]);
    const jobsBefore = (await queryRows<{ n: number }>(app.ctx.db, sql`SELECT count(*)::int AS n FROM jobs`))[0]!.n;
    // the last write of checkout (the coupon redemption, after the stock decrement) fails: all must roll back
    await app.ctx.db.execute(
      sql.raw(`CREATE FUNCTION fail_checkout() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$`),
    );
    await app.ctx.db.execute(
      sql.raw('CREATE TRIGGER fail_checkout BEFORE INSERT ON coupon_redemptions FOR EACH ROW EXECUTE FUNCTION fail_checkout()'),
    );
    try {
      const res = await checkout(app, headers, { coupon_code: coupon.code });
      expect(res.statusCode).toBe(500);
    } finally {
      await app.ctx.db.execute(sql.raw('DROP TRIGGER fail_checkout ON coupon_redemptions'));
      await app.ctx.db.execute(sql.raw('DROP FUNCTION fail_checkout()'));
    }
    expect(await stockOf(product.variants[0]!.id)).toBe(7);
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json().total_items).toBe(2);
    expect((await app.ctx.db.select().from(coupons).where(eq(coupons.id, coupon.id)))[0]!.usedCount).toBe(0);
    expect((await queryRows<{ n: number }>(app.ctx.db, sql`SELECT count(*)::int AS n FROM jobs`))[0]!.n).toBe(jobsBefore);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.couponId, coupon.id))).toHaveLength(0);
  });

  it('sums lines of the same variant before checking stock', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 4 }] });
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 2 }]);
    await addToCart(app, headers, product.variants[0]!.id, 2);
    const res = await checkout(app, headers);
    expect(res.statusCode).toBe(201);
    expect(res.json().items).toHaveLength(1);
    expect(res.json().items[0].quantity).toBe(4);
    expect(await stockOf(product.variants[0]!.id)).toBe(0);
  });
});

describe('checkout totals', () => {
  async function totalsFor(price: number, quantity: number, payload: Record<string, unknown> = {}) {
    const product = await makeProduct(app, { price, variants: [{ stockQuantity: 100 }] });
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity }]);
    const res = await checkout(app, headers, payload);
    expect(res.statusCode, res.body).toBe(201);
    const { subtotal, discount_amount, tax_amount, shipping_cost, total } = res.json();
    return { subtotal, discount_amount, tax_amount, shipping_cost, total };
  }

  it('adds tax at TAX_RATE, rounded half up, and flat shipping below the threshold', async () => {
    // 2 x 19.99 = 39.98; 10% = 3.998 -> 4.00; shipping 5.00
    expect(await totalsFor(1999, 2)).toEqual({
      subtotal: '39.98',
      discount_amount: '0.00',
      tax_amount: '4.00',
      shipping_cost: '5.00',
      total: '48.98',
    });
  });

  it('ships free at exactly the free-shipping threshold', async () => {
    expect(await totalsFor(2500, 2)).toMatchObject({
      subtotal: '50.00',
      shipping_cost: '0.00',
      tax_amount: '5.00',
      total: '55.00',
    });
  });

  it('uses the destination country’s tax rate', async () => {
    const totals = await totalsFor(1000, 1, { shipping_address: { ...SHIPPING_ADDRESS, country: 'de' } });
    expect(totals).toMatchObject({ tax_amount: '1.90', total: '16.90' });
  });

  it('applies a percentage coupon before tax, in exact cents', async () => {
    const coupon = await makeCoupon(app, { discountType: 'percentage', value: 1500 });
    // 39.98 - 15% (5.997 -> 6.00) = 33.98; tax 3.398 -> 3.40; shipping 5.00
    expect(await totalsFor(1999, 2, { coupon_code: coupon.code.toLowerCase() })).toEqual({
      subtotal: '39.98',
      discount_amount: '6.00',
      tax_amount: '3.40',
      shipping_cost: '5.00',
      total: '42.38',
    });
  });

  it('applies a fixed coupon, and the discounted amount decides free shipping', async () => {
    const coupon = await makeCoupon(app, { discountType: 'fixed', value: 1000 });
    // 55.00 - 10.00 = 45.00 (< 50.00: shipping 5.00); tax 4.50
    expect(await totalsFor(5500, 1, { coupon_code: coupon.code })).toEqual({
      subtotal: '55.00',
      discount_amount: '10.00',
      tax_amount: '4.50',
      shipping_cost: '5.00',
      total: '54.50',
    });
  });

  it('never discounts more than the subtotal', async () => {
    const coupon = await makeCoupon(app, { discountType: 'fixed', value: 10000 });
    expect(await totalsFor(1500, 1, { coupon_code: coupon.code })).toEqual({
      subtotal: '15.00',
      discount_amount: '15.00',
      tax_amount: '0.00',
      shipping_cost: '5.00',
      total: '5.00',
    });
  });
});

describe('coupons at checkout', () => {
  async function tryCoupon(code: string, user = undefined as Awaited<ReturnType<typeof makeUser>> | undefined, price = 2000) {
    const product = await makeProduct(app, { price });
    const u = user ?? (await makeUser(app));
    const headers = await authHeader(app, u);
    await addToCart(app, headers, product.variants[0]!.id);
    return checkout(app, headers, { coupon_code: code });
  }

  it('refuses an unknown or inactive code with a field error', async () => {
    const inactive = await makeCoupon(app, { isActive: false });
    for (const code of ['NOPE-123', inactive.code]) {
      const res = await tryCoupon(code);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.coupon_code).toBeDefined();
    }
  });

  it('refuses an expired coupon and one not yet valid', async () => {
    const expired = await makeCoupon(app, { validTo: new Date(Date.now() - 1000) });
    const future = await makeCoupon(app, { validFrom: new Date(Date.now() + 86400_000) });
    expect((await tryCoupon(expired.code)).json().code).toBe('coupon_expired');
    expect((await tryCoupon(future.code)).json().code).toBe('coupon_not_started');
  });

  it('refuses a subtotal below the coupon minimum', async () => {
    const coupon = await makeCoupon(app, { minimumSubtotal: 2500 });
    const res = await tryCoupon(coupon.code, undefined, 2499);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('coupon_minimum_not_met');
    expect((await tryCoupon(coupon.code, undefined, 2500)).statusCode).toBe(201);
  });

  it('counts uses and refuses past the total usage limit', async () => {
    const coupon = await makeCoupon(app, { usageLimit: 2 });
    expect((await tryCoupon(coupon.code)).statusCode).toBe(201);
    expect((await tryCoupon(coupon.code)).statusCode).toBe(201);
    const third = await tryCoupon(coupon.code);
    expect(third.statusCode).toBe(400);
    expect(third.json().code).toBe('coupon_exhausted');
    expect((await app.ctx.db.select().from(coupons).where(eq(coupons.id, coupon.id)))[0]!.usedCount).toBe(2);
  });

  it('refuses past the per-user limit but serves other users', async () => {
    const coupon = await makeCoupon(app, { perUserLimit: 1 });
    const user = await makeUser(app);
    expect((await tryCoupon(coupon.code, user)).statusCode).toBe(201);
    const again = await tryCoupon(coupon.code, user);
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('coupon_exhausted');
    expect((await tryCoupon(coupon.code)).statusCode).toBe(201);
  });
});

describe('idempotent checkout', () => {
  it('returns the same order with 201 for a retried Idempotency-Key', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const { user, headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 2 }]);
    const keyed = { ...headers, 'idempotency-key': 'retry-1' };
    const first = await checkout(app, keyed);
    const second = await checkout(app, keyed);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await app.ctx.db.select().from(orders).where(eq(orders.userId, user.id))).toHaveLength(1);
    expect(await stockOf(product.variants[0]!.id)).toBe(8);
  });

  it('refuses the same key with a different body with 422', async () => {
    const product = await makeProduct(app);
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const keyed = { ...headers, 'idempotency-key': 'retry-2' };
    expect((await checkout(app, keyed)).statusCode).toBe(201);
    const other = await checkout(app, keyed, { notes: 'changed my mind' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
  });

  it('keeps keys per user: another user’s identical key places their own order', async () => {
    const product = await makeProduct(app);
    const a = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const b = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const first = await checkout(app, { ...a.headers, 'idempotency-key': 'shared' });
    const second = await checkout(app, { ...b.headers, 'idempotency-key': 'shared' });
    expect(second.statusCode).toBe(201);
    expect(second.json().id).not.toBe(first.json().id);
  });

  it('runs a failed request again on retry (errors are not stored)', async () => {
    const product = await makeProduct(app);
    const user = await makeUser(app);
    const headers = { ...(await authHeader(app, user)), 'idempotency-key': 'after-error' };
    expect((await checkout(app, headers)).statusCode).toBe(422); // empty cart
    await addToCart(app, headers, product.variants[0]!.id);
    expect((await checkout(app, headers)).statusCode).toBe(201);
  });

  it('cleans up keys once they expire', async () => {
    const product = await makeProduct(app);
    const { headers } = await buyer([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    await checkout(app, { ...headers, 'idempotency-key': 'old-key' });
    await app.ctx.db.execute(sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old-key'`);
    await runJob(app, 'orders.cleanup_idempotency_keys');
    const rows = await queryRows(app.ctx.db, sql`SELECT 1 FROM idempotency_keys WHERE key = 'old-key'`);
    expect(rows).toHaveLength(0);
  });
});
