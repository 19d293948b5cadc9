// Row factories for the catalog: a product always comes with at least one variant.
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/core/module.js';
import {
  type CategoryRow,
  categories,
  type ImageRow,
  type ProductRow,
  productImages,
  products,
  productVariants,
  type ReviewRow,
  reviews,
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

/** A review row written directly (the product's kept average is not updated; use the API for that). */
export async function makeReview(
  app: App,
  overrides: Partial<typeof reviews.$inferInsert> & { productId: string; userId: string },
): Promise<ReviewRow> {
  const [row] = await app.ctx.db
    .insert(reviews)
    .values({ rating: 5, title: 'Great', body: 'Works well.', ...overrides })
    .returning();
  return row as ReviewRow;
}

/** An image row pointing at made-up URLs (no file stored). */
export async function makeImage(app: App, overrides: Partial<typeof productImages.$inferInsert> & { productId: string }) {
  const key = `products/${overrides.productId}/${uid()}`;
  const [row] = await app.ctx.db
    .insert(productImages)
    .values({
      storageKey: `${key}.jpg`,
      thumbnailKey: `${key}_thumb.webp`,
      url: `/media/${key}.jpg`,
      thumbnailUrl: `/media/${key}_thumb.webp`,
      contentType: 'image/jpeg',
      width: 800,
      height: 600,
      ...overrides,
    })
    .returning();
  return row as ImageRow;
}
