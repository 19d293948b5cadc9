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

/** `UPDATE ... WHERE stock_quantity >= n`: the row after the decrement, or undefined when short of stock. */
export async function takeStock(
  tx: Db,
  line: StockLine,
): Promise<{ productId: string; stockAfter: number; lowStockThreshold: number } | undefined> {
  const rows = await queryRows<{ product_id: string; stock_quantity: number; low_stock_threshold: number }>(
    tx,
    sql`UPDATE product_variants SET stock_quantity = stock_quantity - ${line.quantity}, updated_at = now()
        WHERE id = ${line.variantId} AND stock_quantity >= ${line.quantity}
        RETURNING product_id, stock_quantity, low_stock_threshold`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    productId: row.product_id,
    stockAfter: Number(row.stock_quantity),
    lowStockThreshold: Number(row.low_stock_threshold),
  };
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
