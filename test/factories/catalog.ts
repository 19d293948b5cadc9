// Row factories for the catalog: a product always comes with at least one variant.
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/core/module.js';
import {
  type CategoryRow,
  categories,
  type ProductRow,
  products,
  productVariants,
  type VariantRow,
} from '../../src/modules/catalog/catalog.tables.js';

const uid = () => randomUUID().slice(0, 8);

export async function makeCategory(app: App, overrides: Partial<typeof categories.$inferInsert> = {}): Promise<CategoryRow> {
  const name = overrides.name ?? `Category ${uid()}`;
  const [row] = await app.ctx.db
    .insert(categories)
    .values({ name, slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), ...overrides })
    .returning();
  return row as CategoryRow;
}

export interface MadeProduct extends ProductRow {
  variants: VariantRow[];
}

/**
 * A product with variants. `variants` lists per-variant overrides; default is one variant with stock 10.
 * Money is in minor units (price: 1999 = 19.99).
 */
export async function makeProduct(
  app: App,
  overrides: Partial<typeof products.$inferInsert> & { variants?: Partial<typeof productVariants.$inferInsert>[] } = {},
): Promise<MadeProduct> {
  const { variants: variantOverrides = [{}], ...rest } = overrides;
  const id = uid();
  const [product] = await app.ctx.db
    .insert(products)
    .values({
      name: `Product ${id}`,
      slug: `product-${id}`,
      sku: `SKU-${id}`,
      price: 1999,
      currency: app.ctx.config.currency,
      ...rest,
    })
    .returning();
  const p = product as ProductRow;
  const variants = await app.ctx.db
    .insert(productVariants)
    .values(
      variantOverrides.map((v, i) => ({
        productId: p.id,
        sku: `${p.sku}-${i + 1}`,
        name: `Variant ${i + 1}`,
        stockQuantity: 10,
        position: i,
        ...v,
      })),
    )
    .returning();
  return { ...p, variants };
}
