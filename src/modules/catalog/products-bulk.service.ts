// Bulk product actions for the admin's product list: publish/unpublish, feature/unfeature, move to a
// category, change prices by a percentage or an amount. One transaction for the whole selection (all or
// nothing), one cache invalidation after commit.
import { inArray, type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { fieldError, ValidationFailed } from '../../core/errors.js';
import { MAX_MINOR_UNITS, parseMoney } from '../../core/money.js';
import { invalidateCatalog } from './catalog.cache.js';
import * as repo from './catalog.repo.js';
import { products, productVariants } from './catalog.tables.js';

export const BULK_ACTIONS = ['publish', 'unpublish', 'feature', 'unfeature', 'move_category', 'adjust_price'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkInput {
  ids: string[];
  action: BulkAction;
  /** move_category: the target (null = no category). */
  category_id?: string | null;
  /** adjust_price: signed percent ("-10" = 10% off), at most two decimals. */
  percent?: string | number;
  /** adjust_price: signed amount in the shop currency ("-2.50"). */
  amount?: string | number;
}

/** The new price of `column` as SQL: percent in basis points (rounded half away from zero) or an amount. */
type PriceChange = { basisPoints: number } | { minor: number };
function newPrice(column: SQL, change: PriceChange): SQL {
  return 'basisPoints' in change
    ? sql`round(${column}::numeric * ${10000 + change.basisPoints} / 10000)::bigint`
    : sql`(${column}::bigint + ${change.minor})`;
}

function priceChangeOf(input: BulkInput, currency: string): PriceChange {
  const hasPercent = input.percent !== undefined;
  if (hasPercent === (input.amount !== undefined)) {
    throw new ValidationFailed(
      { non_field_errors: ['Send exactly one of percent or amount.'] },
      'Send exactly one of percent or amount.',
    );
  }
  if (!hasPercent) return { minor: parseMoney(input.amount as string | number, currency, 'amount') };
  const match = /^(-?)(\d{1,4})(?:\.(\d{1,2}))?$/.exec(String(input.percent).trim());
  if (!match) throw fieldError('percent', 'A number with at most two decimals is required, e.g. "-10" or "5.5".');
  const basisPoints = (Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'))) * (match[1] ? -1 : 1);
  if (basisPoints < -10000 || basisPoints > 100000) throw fieldError('percent', 'Must be between -100 and 1000.');
  return { basisPoints };
}

/** Products whose own price or any variant price would leave [0, MAX] with this change. */
async function outOfRange(tx: Db, ids: string[], change: PriceChange): Promise<{ negative: string[]; tooLarge: string[] }> {
  const rows = await tx
    .select({
      id: products.id,
      low: sql<string>`least(${newPrice(sql`${products.price}`, change)}, coalesce(v.low, 0))`,
      high: sql<string>`greatest(${newPrice(sql`${products.price}`, change)}, coalesce(v.high, 0))`,
    })
    .from(products)
    .leftJoin(
      sql`(select product_id, min(${newPrice(sql`price`, change)}) as low, max(${newPrice(sql`price`, change)}) as high
           from product_variants where price is not null group by product_id) v`,
      sql`v.product_id = ${products.id}`,
    )
    .where(inArray(products.id, ids));
  return {
    negative: rows.filter((r) => Number(r.low) < 0).map((r) => r.id),
    tooLarge: rows.filter((r) => Number(r.high) > MAX_MINOR_UNITS).map((r) => r.id),
  };
}

async function applyPriceChange(tx: Db, ids: string[], change: PriceChange): Promise<void> {
  const { negative, tooLarge } = await outOfRange(tx, ids, change);
  if (negative.length) {
    throw new ValidationFailed(
      { ids: [`The new price would be below zero for: ${negative.join(', ')}.`] },
      'A price would fall below zero; nothing was changed.',
      'negative_price',
    );
  }
  if (tooLarge.length)
    throw fieldError('ids', `The new price would be too large for: ${tooLarge.join(', ')}.`, 'price_too_large');
  await tx
    .update(products)
    .set({ price: sql`${newPrice(sql`${products.price}`, change)}`, updatedAt: sql`now()` })
    .where(inArray(products.id, ids));
  await tx
    .update(productVariants)
    .set({ price: sql`${newPrice(sql`${productVariants.price}`, change)}`, updatedAt: sql`now()` })
    .where(sql`${inArray(productVariants.productId, ids)} and ${productVariants.price} is not null`);
}

const FLAGS: Partial<Record<BulkAction, Partial<typeof products.$inferInsert>>> = {
  publish: { isActive: true },
  unpublish: { isActive: false },
  feature: { isFeatured: true },
  unfeature: { isFeatured: false },
};

/**
 * Applies one action to every listed product in one transaction; unknown ids, a missing category or a
 * price that would go below zero refuse the whole batch (400) and change nothing.
 */
export async function bulkUpdateProducts(
  ctx: AppContext,
  input: BulkInput,
): Promise<{ action: BulkAction; updated: number; ids: string[] }> {
  const ids = [...new Set(input.ids)];
  const change = input.action === 'adjust_price' ? priceChangeOf(input, ctx.config.currency) : undefined;
  if (input.action === 'move_category' && input.category_id === undefined) {
    throw fieldError('category_id', 'This field is required for move_category (null removes the category).', 'required');
  }
  const slugs = await ctx.db.transaction(async (tx) => {
    const found = await tx
      .select({ id: products.id, slug: products.slug })
      .from(products)
      .where(inArray(products.id, ids))
      .for('update');
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw fieldError('ids', `Unknown product ids: ${missing.join(', ')}.`, 'does_not_exist');
    if (change) await applyPriceChange(tx, ids, change);
    else {
      let values = FLAGS[input.action];
      if (input.action === 'move_category') {
        const categoryId = input.category_id ?? null;
        if (categoryId !== null && !(await repo.categoryExists(tx, categoryId))) {
          throw fieldError('category_id', `Invalid pk "${categoryId}" - object does not exist.`, 'does_not_exist');
        }
        values = { categoryId };
      }
      await tx
        .update(products)
        .set({ ...values, updatedAt: sql`now()` })
        .where(inArray(products.id, ids));
    }
    return found.map((f) => f.slug);
  });
  await invalidateCatalog(ctx, { slugs });
  return { action: input.action, updated: ids.length, ids };
}
