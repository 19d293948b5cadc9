// Stock SQL: the reads the cart and checkout need and the conditional UPDATEs that change stock for orders.
// Only inventory.service.ts calls this file; other modules go through that service.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/db.js';
import { products, productVariants } from './catalog.tables.js';

export interface StockLine {
  variantId: string;
  quantity: number;
}

/** What the cart and checkout need to know about a variant, price already resolved (minor units). */
export interface SellableVariant {
  id: string;
  productId: string;
  productName: string;
  productSlug: string;
  sku: string;
  name: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  stockQuantity: number;
  lowStockThreshold: number;
  /** Variant and product both active and the product not deleted. */
  isAvailable: boolean;
}

export async function getSellableVariants(db: Db, variantIds: string[]): Promise<Map<string, SellableVariant>> {
  if (!variantIds.length) return new Map();
  const rows = await db
    .select({
      id: productVariants.id,
      productId: productVariants.productId,
      productName: products.name,
      productSlug: products.slug,
      sku: productVariants.sku,
      name: productVariants.name,
      options: productVariants.options,
      price: sql<number>`coalesce(${productVariants.price}, ${products.price})`.mapWith(Number),
      currency: products.currency,
      stockQuantity: productVariants.stockQuantity,
      lowStockThreshold: productVariants.lowStockThreshold,
      variantActive: productVariants.isActive,
      productActive: products.isActive,
      deletedAt: products.deletedAt,
    })
    .from(productVariants)
    .innerJoin(products, eq(products.id, productVariants.productId))
    .where(inArray(productVariants.id, variantIds));
  return new Map(
    rows.map(({ variantActive, productActive, deletedAt, ...v }) => [
      v.id,
      { ...v, isAvailable: variantActive && productActive && deletedAt === null },
    ]),
  );
}

/** Ids of the active variants of an active product (to add a product with a single variant by product id). */
export async function activeVariantIdsOfProduct(db: Db, productId: string): Promise<string[]> {
  const rows = await db
    .select({ id: productVariants.id })
    .from(productVariants)
    .innerJoin(products, eq(products.id, productVariants.productId))
    .where(
      and(
        eq(productVariants.productId, productId),
        eq(productVariants.isActive, true),
        eq(products.isActive, true),
        isNull(products.deletedAt),
      ),
    );
  return rows.map((r) => r.id);
}

export interface TakenStock {
  variantId: string;
  productId: string;
  stockAfter: number;
  lowStockThreshold: number;
}

/**
 * Every line's decrement in ONE statement, all or nothing: the variants are first locked in id order (a
 * MATERIALIZED CTE with ORDER BY ... FOR NO KEY UPDATE, so two checkouts never take two rows in opposite
 * orders), then each is decremented only where `stock_quantity >= quantity`. Returns the rows it decremented:
 * fewer than the lines means some variant was short, and the caller must roll back.
 */
export async function takeStockLines(tx: Db, lines: StockLine[]): Promise<TakenStock[]> {
  if (!lines.length) return [];
  const values = sql.join(
    lines.map((l) => sql`(${l.variantId}::uuid, ${l.quantity}::int)`),
    sql`, `,
  );
  const rows = await queryRows<{ id: string; product_id: string; stock_quantity: number; low_stock_threshold: number }>(
    tx,
    sql`WITH wanted (id, quantity) AS (VALUES ${values}),
        locked AS MATERIALIZED (
          SELECT v.id FROM product_variants v WHERE v.id IN (SELECT id FROM wanted) ORDER BY v.id FOR NO KEY UPDATE
        )
        UPDATE product_variants v SET stock_quantity = v.stock_quantity - w.quantity, updated_at = now()
        FROM wanted w, locked l
        WHERE v.id = w.id AND l.id = w.id AND v.stock_quantity >= w.quantity
        RETURNING v.id, v.product_id, v.stock_quantity, v.low_stock_threshold`,
  );
  return rows.map((r) => ({
    variantId: r.id,
    productId: r.product_id,
    stockAfter: Number(r.stock_quantity),
    lowStockThreshold: Number(r.low_stock_threshold),
  }));
}

export async function stockOf(tx: Db, variantId: string): Promise<{ stock: number; sku: string } | undefined> {
  const [current] = await tx
    .select({ stock: productVariants.stockQuantity, sku: productVariants.sku })
    .from(productVariants)
    .where(eq(productVariants.id, variantId));
  return current;
}

/** Adds stock back; the product touched, or undefined when the variant is gone. */
export async function putBackStock(tx: Db, line: StockLine): Promise<string | undefined> {
  const rows = await queryRows<{ product_id: string }>(
    tx,
    sql`UPDATE product_variants SET stock_quantity = stock_quantity + ${line.quantity}, updated_at = now()
        WHERE id = ${line.variantId} RETURNING product_id`,
  );
  return rows[0]?.product_id;
}
