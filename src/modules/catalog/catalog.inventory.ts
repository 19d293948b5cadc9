// Stock: reads for the cart and checkout, and the only code that changes stock for orders. Reservations
// take variants in one fixed order (sorted by id) with a conditional UPDATE, so concurrent checkouts never
// oversell and never deadlock; the CHECK (stock_quantity >= 0) backs it in the database.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/db.js';
import { OutOfStock } from '../../core/errors.js';
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

export interface ReservedStock extends StockLine {
  productId: string;
  stockAfter: number;
  lowStockThreshold: number;
  /** This reservation took the variant from above its threshold to at or below it. */
  crossedLowStock: boolean;
}

/** Lines for the same variant summed, sorted by variant id (the lock order). */
export function sumLines(lines: StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.variantId, (totals.get(line.variantId) ?? 0) + line.quantity);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([variantId, quantity]) => ({ variantId, quantity }));
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

/**
 * Decrements the stock of every line inside the caller's transaction, all or nothing: lines are summed per
 * variant and taken in id order with `UPDATE ... WHERE stock_quantity >= n`. Throws OutOfStock (409, with
 * `variant_id` and `available`) at the first variant short of stock; the caller's rollback undoes the rest.
 */
export async function reserveStock(tx: Db, lines: StockLine[]): Promise<ReservedStock[]> {
  const reserved: ReservedStock[] = [];
  for (const line of sumLines(lines)) {
    const rows = await queryRows<{ product_id: string; stock_quantity: number; low_stock_threshold: number }>(
      tx,
      sql`UPDATE product_variants SET stock_quantity = stock_quantity - ${line.quantity}, updated_at = now()
          WHERE id = ${line.variantId} AND stock_quantity >= ${line.quantity}
          RETURNING product_id, stock_quantity, low_stock_threshold`,
    );
    const row = rows[0];
    if (!row) {
      const [current] = await tx
        .select({ stock: productVariants.stockQuantity, sku: productVariants.sku })
        .from(productVariants)
        .where(eq(productVariants.id, line.variantId));
      const available = current?.stock ?? 0;
      throw new OutOfStock(`Only ${available} of ${current?.sku ?? 'this item'} left in stock.`, {
        variant_id: line.variantId,
        requested: line.quantity,
        available,
      });
    }
    const stockAfter = Number(row.stock_quantity);
    const threshold = Number(row.low_stock_threshold);
    reserved.push({
      ...line,
      productId: row.product_id,
      stockAfter,
      lowStockThreshold: threshold,
      crossedLowStock: stockAfter <= threshold && stockAfter + line.quantity > threshold,
    });
  }
  return reserved;
}

/** Puts stock back (cancel, refund, expiry), in the same fixed order. Returns the products touched. */
export async function releaseStock(tx: Db, lines: StockLine[]): Promise<string[]> {
  const productIds = new Set<string>();
  for (const line of sumLines(lines)) {
    const rows = await queryRows<{ product_id: string }>(
      tx,
      sql`UPDATE product_variants SET stock_quantity = stock_quantity + ${line.quantity}, updated_at = now()
          WHERE id = ${line.variantId} RETURNING product_id`,
    );
    if (rows[0]) productIds.add(rows[0].product_id);
  }
  return [...productIds];
}
