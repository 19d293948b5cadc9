// Concurrency against the PostgreSQL server (PGlite has a single connection, so these run only with DATABASE_URL).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { addToCart, buyerWithCart, checkout, makeCoupon } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import { queryRows } from '../../core/db.js';
import type { App } from '../../core/module.js';
import { productVariants } from '../catalog/catalog.tables.js';
import { coupons, orders } from './orders.tables.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
let app: App;
beforeAll(async () => {
  if (onPostgres) app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const stockOf = async (variantId: string) =>
  (await app.ctx.db.select().from(productVariants).where(eq(productVariants.id, variantId)))[0]!.stockQuantity;

async function buyers(count: number, lines: (i: number) => { variantId: string; quantity: number }[]) {
  const result: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) result.push(await buyerWithCart(app, lines(i)));
  return result;
}

describe.runIf(onPostgres)('concurrent checkout on PostgreSQL', () => {
  it('sells exactly the stock: 50 buyers for 10 units give 10 orders and 40 clean 409s', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const variantId = product.variants[0]!.id;
    const all = await buyers(50, () => [{ variantId, quantity: 1 }]);
    const responses = await Promise.all(all.map((headers) => checkout(app, headers)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(40);
    for (const r of responses.filter((x) => x.statusCode === 409))
      expect(r.json()).toMatchObject({ code: 'out_of_stock', available: 0 });
    expect(await stockOf(variantId)).toBe(0);
    const placed = await app.ctx.db.select().from(orders);
    expect(placed.filter((o) => responses.some((r) => r.statusCode === 201 && r.json().id === o.id))).toHaveLength(10);
  });

  it('flash sale: 60 buyers of two-line carts on three variants of one product never oversell', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 9 }, { stockQuantity: 7 }, { stockQuantity: 5 }] });
    const ids = product.variants.map((v) => v.id);
    const initial = [9, 7, 5];
    const all = await buyers(60, (i) => [
      { variantId: ids[i % 3]!, quantity: 1 },
      { variantId: ids[(i + 1 + (i % 2)) % 3]!, quantity: 1 + (i % 2) },
    ]);
    const responses = await Promise.all(all.map((headers) => checkout(app, headers)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c !== 201 && c !== 409)).toEqual([]);
    expect(codes.filter((c) => c === 201).length).toBeGreaterThan(0);
    const sold = await queryRows<{ variant_id: string; n: number }>(
      app.ctx.db,
      sql`SELECT variant_id, sum(quantity)::int AS n FROM order_items WHERE variant_id IN ${ids} GROUP BY variant_id`,
    );
    for (const [k, id] of ids.entries()) {
      const stock = await stockOf(id);
      expect(stock).toBeGreaterThanOrEqual(0);
      expect(stock + (sold.find((r) => r.variant_id === id)?.n ?? 0)).toBe(initial[k]);
    }
    // the in-stock counter (migration 0020's trigger) agrees with the variants after the race
    const [counter] = await queryRows<{ n: number; real: number }>(
      app.ctx.db,
      sql`SELECT in_stock_variants AS n,
                 (SELECT count(*)::int FROM product_variants WHERE product_id = ${product.id} AND is_active AND stock_quantity > 0) AS real
          FROM products WHERE id = ${product.id}`,
    );
    expect(counter!.n).toBe(counter!.real);
  });

  it('never deadlocks when carts hold two variants in opposite orders', async () => {
    const a = await makeProduct(app, { variants: [{ stockQuantity: 100 }] });
    const b = await makeProduct(app, { variants: [{ stockQuantity: 100 }] });
    const [va, vb] = [a.variants[0]!.id, b.variants[0]!.id];
    const all = await buyers(30, (i) =>
      i % 2
        ? [
            { variantId: va, quantity: 1 },
            { variantId: vb, quantity: 1 },
          ]
        : [
            { variantId: vb, quantity: 1 },
            { variantId: va, quantity: 1 },
          ],
    );
    const responses = await Promise.all(all.map((headers) => checkout(app, headers)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
    expect([await stockOf(va), await stockOf(vb)]).toEqual([70, 70]);
  });

  it('creates one order for the same Idempotency-Key sent 20 times at once', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    await addToCart(app, headers, product.variants[0]!.id, 2);
    const keyed = { ...headers, 'idempotency-key': 'same-key-20' };
    const responses = await Promise.all(Array.from({ length: 20 }, () => checkout(app, keyed)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.userId, user.id))).toHaveLength(1);
    expect(await stockOf(product.variants[0]!.id)).toBe(8);
  });

  it('restores stock exactly once when cancel is sent twice at once', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const [headers] = await buyers(1, () => [{ variantId: product.variants[0]!.id, quantity: 4 }]);
    const order = (await checkout(app, headers!)).json();
    expect(await stockOf(product.variants[0]!.id)).toBe(6);
    const cancel = () => app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers: headers! });
    const codes = (await Promise.all([cancel(), cancel(), cancel()])).map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409, 409]);
    expect(await stockOf(product.variants[0]!.id)).toBe(10);
  });

  it('never lets concurrent checkouts exceed a coupon’s usage limit', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 100 }] });
    const coupon = await makeCoupon(app, { usageLimit: 3 });
    const all = await buyers(12, () => [{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const responses = await Promise.all(all.map((headers) => checkout(app, headers, { coupon_code: coupon.code })));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(responses.filter((r) => r.statusCode === 400 && r.json().code === 'coupon_exhausted')).toHaveLength(9);
    expect((await app.ctx.db.select().from(coupons).where(eq(coupons.id, coupon.id)))[0]!.usedCount).toBe(3);
    expect(await stockOf(product.variants[0]!.id)).toBe(97);
  });
});
