// Stock as the other modules see it: reads for the cart and checkout, and the only code that changes stock
// for orders. Reservations lock variants in one fixed order (sorted by id) and decrement them with one
// conditional UPDATE, so concurrent checkouts never oversell and never deadlock; the CHECK
// (stock_quantity >= 0) backs it in the database.
import type { Db } from '../../core/db.js';
import { OutOfStock } from '../../core/errors.js';
import type { StockLine } from './inventory.repo.js';
import * as repo from './inventory.repo.js';

export type { SellableVariant, StockLine } from './inventory.repo.js';

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

/** Variants by id with their resolved price and availability (missing ids are absent from the map). */
export function getSellableVariants(db: Db, variantIds: string[]) {
  return repo.getSellableVariants(db, variantIds);
}

/** Ids of the active variants of an active product (to add a product with a single variant by product id). */
export function activeVariantIdsOfProduct(db: Db, productId: string): Promise<string[]> {
  return repo.activeVariantIdsOfProduct(db, productId);
}

/**
 * Decrements the stock of every line inside the caller's transaction, all or nothing, in ONE statement (see
 * `takeStockLines`): lines are summed per variant and locked in id order. Throws OutOfStock (409, with
 * `variant_id` and `available`) for the first variant short of stock; the caller's rollback undoes the rest.
 * Checkout calls this as its last statement before commit, so the hot variant rows stay locked for one
 * statement and the commit, not for the whole checkout.
 */
export async function reserveStock(tx: Db, lines: StockLine[]): Promise<ReservedStock[]> {
  const wanted = sumLines(lines);
  const taken = new Map((await repo.takeStockLines(tx, wanted)).map((row) => [row.variantId, row]));
  const reserved: ReservedStock[] = [];
  for (const line of wanted) {
    const row = taken.get(line.variantId);
    if (!row) {
      // short of stock (rare, and the transaction rolls back): the variant is already locked by us or sold out
      const current = await repo.stockOf(tx, line.variantId);
      const available = current?.stock ?? 0;
      throw new OutOfStock(`Only ${available} of ${current?.sku ?? 'this item'} left in stock.`, {
        variant_id: line.variantId,
        requested: line.quantity,
        available,
      });
    }
    const { stockAfter, lowStockThreshold } = row;
    reserved.push({
      ...line,
      productId: row.productId,
      stockAfter,
      lowStockThreshold,
      crossedLowStock: stockAfter <= lowStockThreshold && stockAfter + line.quantity > lowStockThreshold,
    });
  }
  return reserved;
}

/** Puts stock back (cancel, refund, expiry), in the same fixed order. Returns the products touched. */
export async function releaseStock(tx: Db, lines: StockLine[]): Promise<string[]> {
  const productIds = new Set<string>();
  for (const line of sumLines(lines)) {
    const productId = await repo.putBackStock(tx, line);
    if (productId) productIds.add(productId);
  }
  return [...productIds];
}
