// Checkout under a flash sale (docs/benchmarks.md): a bounded number of statements per checkout whatever the
// number of lines, the product row left alone while stock stays above zero, and concurrent buyers of the last
// units selling exactly the stock. Runs on both backends (PGlite serializes the concurrent requests; the
// PostgreSQL races are in checkout.concurrency.test.ts too).
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { buyerWithCart, checkout } from '../../../test/factories/orders.js';
import { stockOf as stockOfVariant } from '../../../test/factories/payments.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { queryRows } from '../../core/db.js';
import { products } from '../catalog/catalog.tables.js';
import { orderItems } from './orders.tables.js';

const { app } = useTestApp();

/**
 * Statements of one checkout (BEGIN and COMMIT included, the response built from the rows written): cart
 * lock + items, variants, contact, order, items, history, cart emptied, jobs, stock, and one read after commit
 * for the product cache. Was 19 for two lines and grew by two per line; a regression past this fails here.
 */
const MAX_CHECKOUT_STATEMENTS = 12;

const cartOf = (lines: { variantId: string; quantity: number }[]) => buyerWithCart(app, lines);

async function statementsOfCheckout(headers: Record<string, string>) {
  const before = app.ctx.database.stats.queries;
  const res = await checkout(app, headers);
  expect(res.statusCode, res.body).toBe(201);
  return app.ctx.database.stats.queries - before;
}

const stockOf = (variantId: string) => stockOfVariant(app, variantId);

describe('checkout statements', () => {
  it(`runs at most ${MAX_CHECKOUT_STATEMENTS} statements, the same for 1, 2 or 6 lines`, async () => {
    const made = await Promise.all(Array.from({ length: 6 }, () => makeProduct(app, { variants: [{ stockQuantity: 50 }] })));
    const variantIds = made.map((p) => p.variants[0]!.id);
    const counts = [];
    for (const n of [1, 2, 6]) {
      counts.push(
        await statementsOfCheckout(await cartOf(variantIds.slice(0, n).map((variantId) => ({ variantId, quantity: 2 })))),
      );
    }
    expect(counts[0]).toBeLessThanOrEqual(MAX_CHECKOUT_STATEMENTS);
    expect(new Set(counts).size, `statements for 1, 2, 6 lines: ${counts}`).toBe(1);
    for (const id of variantIds.slice(0, 6)) expect(await stockOf(id)).toBeLessThan(50);
  });
});

describe('the product row during a sale', () => {
  it('is not written while the variant stays in stock, and moves in_stock_variants when the last unit sells', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 3 }] });
    const variantId = product.variants[0]!.id;
    const productRow = async () =>
      (
        await queryRows<{ xmin: string; n: number }>(
          app.ctx.db,
          sql`SELECT xmin::text AS xmin, in_stock_variants AS n FROM products WHERE id = ${product.id}`,
        )
      )[0]!;
    const before = await productRow();
    expect(before.n).toBe(1);
    await statementsOfCheckout(await cartOf([{ variantId, quantity: 2 }]));
    // same row version: the sale did not update (nor lock) the product row
    expect(await productRow()).toEqual(before);
    await statementsOfCheckout(await cartOf([{ variantId, quantity: 1 }]));
    expect((await productRow()).n).toBe(0);
    expect((await app.ctx.db.select().from(products).where(eq(products.id, product.id)))[0]!.inStockVariants).toBe(0);
  });
});

describe('concurrent buyers of the last units', () => {
  it('sell exactly the stock of two variants bought together: 12 buyers for 4 + 6 units', async () => {
    const a = await makeProduct(app, { variants: [{ stockQuantity: 4 }] });
    const b = await makeProduct(app, { variants: [{ stockQuantity: 6 }] });
    const [va, vb] = [a.variants[0]!.id, b.variants[0]!.id];
    const carts = [];
    for (let i = 0; i < 12; i++) {
      carts.push(
        await cartOf(
          i % 2
            ? [
                { variantId: va, quantity: 1 },
                { variantId: vb, quantity: 1 },
              ]
            : [
                { variantId: vb, quantity: 1 },
                { variantId: va, quantity: 1 },
              ],
        ),
      );
    }
    const responses = await Promise.all(carts.map((headers) => checkout(app, headers)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(4);
    expect(codes.filter((c) => c === 409)).toHaveLength(8);
    for (const r of responses.filter((x) => x.statusCode === 409)) {
      expect(r.json()).toMatchObject({ code: 'out_of_stock', variant_id: va, available: 0 });
    }
    expect([await stockOf(va), await stockOf(vb)]).toEqual([0, 2]);
    const sold = await queryRows<{ variant_id: string; n: number }>(
      app.ctx.db,
      sql`SELECT variant_id, sum(quantity)::int AS n FROM ${orderItems} WHERE variant_id IN (${va}, ${vb}) GROUP BY variant_id`,
    );
    expect(Object.fromEntries(sold.map((r) => [r.variant_id, r.n]))).toEqual({ [va]: 4, [vb]: 4 });
  });
});
