// All SQL for coupons and their redemptions.
import { and, asc, count, desc, eq, ilike, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { type CouponRow, couponRedemptions, coupons } from './orders.tables.js';

export type NewCoupon = typeof coupons.$inferInsert;

export async function findCouponByCode(db: Db, code: string): Promise<CouponRow | undefined> {
  const [row] = await db.select().from(coupons).where(eq(coupons.code, code.trim().toUpperCase()));
  return row;
}

export async function findCoupon(db: Db, id: string): Promise<CouponRow | undefined> {
  const [row] = await db.select().from(coupons).where(eq(coupons.id, id));
  return row;
}

export const COUPON_ORDERINGS = ['created_at', '-created_at', 'code', '-code', 'used_count', '-used_count'] as const;
export type CouponOrdering = (typeof COUPON_ORDERINGS)[number];
export interface CouponFilter {
  /** Substring of the code, case-insensitive. */
  search?: string;
  isActive?: boolean;
  ordering?: CouponOrdering;
}
const couponSort = { created_at: coupons.createdAt, code: coupons.code, used_count: coupons.usedCount } as const;

export async function listCoupons(db: Db, page: { limit: number; offset: number }, filter: CouponFilter = {}) {
  const where = and(
    ...(filter.search ? [ilike(coupons.code, `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`)] : []),
    ...(filter.isActive !== undefined ? [eq(coupons.isActive, filter.isActive)] : []),
  );
  const ordering = filter.ordering ?? '-created_at';
  const column = couponSort[ordering.replace(/^-/, '') as keyof typeof couponSort];
  const dir = ordering.startsWith('-') ? desc : asc;
  const [total] = await db.select({ n: count() }).from(coupons).where(where);
  const rows = await db
    .select()
    .from(coupons)
    .where(where)
    .orderBy(dir(column), dir(coupons.id))
    .limit(page.limit)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

export async function insertCoupon(db: Db, values: NewCoupon): Promise<CouponRow> {
  const [row] = await db.insert(coupons).values(values).returning();
  return row as CouponRow;
}

export async function updateCoupon(db: Db, id: string, changes: Partial<NewCoupon>): Promise<CouponRow | undefined> {
  const [row] = await db
    .update(coupons)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(coupons.id, id))
    .returning();
  return row;
}

export async function deleteCoupon(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(coupons).where(eq(coupons.id, id)).returning({ id: coupons.id });
  return rows.length > 0;
}

/**
 * Takes one use of the coupon if any is left: a conditional UPDATE, so concurrent checkouts can never
 * exceed the limit. The row stays locked until the transaction ends, which also serializes per-user counting.
 */
export async function takeCouponUse(db: Db, couponId: string): Promise<boolean> {
  const rows = await db
    .update(coupons)
    .set({ usedCount: sql`${coupons.usedCount} + 1`, updatedAt: sql`now()` })
    .where(and(eq(coupons.id, couponId), sql`(${coupons.usageLimit} is null or ${coupons.usedCount} < ${coupons.usageLimit})`))
    .returning({ id: coupons.id });
  return rows.length > 0;
}

export async function countUserRedemptions(db: Db, couponId: string, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(couponRedemptions)
    .where(and(eq(couponRedemptions.couponId, couponId), eq(couponRedemptions.userId, userId)));
  return Number(row?.n ?? 0);
}

export async function insertRedemption(db: Db, row: { couponId: string; userId: string; orderId: string }): Promise<void> {
  await db.insert(couponRedemptions).values(row);
}

/** Gives back the use an order took (cancelled orders do not spend limited coupons). */
export async function releaseRedemption(db: Db, orderId: string): Promise<void> {
  const rows = await db
    .delete(couponRedemptions)
    .where(eq(couponRedemptions.orderId, orderId))
    .returning({ couponId: couponRedemptions.couponId });
  for (const { couponId } of rows) {
    await db
      .update(coupons)
      .set({ usedCount: sql`greatest(${coupons.usedCount} - 1, 0)`, updatedAt: sql`now()` })
      .where(eq(coupons.id, couponId));
  }
}
