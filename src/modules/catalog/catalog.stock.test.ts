import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { products, productVariants } from './catalog.tables.js';

const { app, staff } = useTestApp({ staff: true });

const inStockCount = async (productId: string) =>
  (await app.ctx.db.select({ n: products.inStockVariants }).from(products).where(eq(products.id, productId)))[0]?.n;

describe('in_stock bookkeeping', () => {
  it('moves a product out of in_stock=true when its last stocked variant reaches zero', async () => {
    const category = await makeCategory(app);
    const product = await makeProduct(app, { categoryId: category.id, variants: [{ stockQuantity: 2 }, { stockQuantity: 0 }] });
    const url = `/api/v1/products/?category=${category.slug}&in_stock=true`;
    expect((await app.inject({ method: 'GET', url })).json().count).toBe(1);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/variants/${product.variants[0]?.id}/`,
      headers: staff,
      payload: { stock_quantity: 0 },
    });
    expect((await app.inject({ method: 'GET', url })).json().count).toBe(0);
    expect(await inStockCount(product.id)).toBe(0);
  });

  it('counts only active variants, and follows inserts and deletes', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 5 }, { stockQuantity: 5, isActive: false }] });
    expect(await inStockCount(product.id)).toBe(1);
    await app.ctx.db
      .update(productVariants)
      .set({ isActive: true })
      .where(eq(productVariants.id, product.variants[1]?.id as string));
    expect(await inStockCount(product.id)).toBe(2);
    await app.ctx.db.delete(productVariants).where(eq(productVariants.id, product.variants[0]?.id as string));
    expect(await inStockCount(product.id)).toBe(1);
  });

  it('rolls back with the transaction that changed stock', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 1 }] });
    await app.ctx.db
      .transaction(async (tx) => {
        await tx.update(productVariants).set({ stockQuantity: 0 }).where(eq(productVariants.productId, product.id));
        throw new Error('abort');
      })
      .catch(() => {});
    expect(await inStockCount(product.id)).toBe(1);
  });

  it.runIf(process.env.DATABASE_URL)('stays exact when two transactions sell out different variants at once', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 1 }, { stockQuantity: 1 }] });
    const [a, b] = product.variants.map((v) => v.id);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sellOut = (id: string) =>
      app.ctx.db.transaction(async (tx) => {
        await tx.update(productVariants).set({ stockQuantity: 0 }).where(eq(productVariants.id, id));
        await gate; // both updates are done before either commits
      });
    const both = Promise.all([sellOut(a as string), sellOut(b as string)]);
    await new Promise((r) => setTimeout(r, 200));
    release();
    await both;
    expect(await inStockCount(product.id)).toBe(0);
    const { rows } = (await app.ctx.db.execute(sql`select count(*)::int as n from product_variants
      where product_id = ${product.id} and stock_quantity > 0`)) as unknown as { rows: { n: number }[] };
    expect(rows[0]?.n).toBe(0);
  });
});
