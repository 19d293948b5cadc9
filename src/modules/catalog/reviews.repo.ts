// Review and wishlist SQL. The product's average_rating/review_count are recomputed from the reviews in the
// review's own transaction, under the product row lock.
import { and, count, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { products, type ReviewRow, reviews, wishlistItems } from './catalog.tables.js';

export async function listReviews(db: Db, productId: string, limit: number, offset: number): Promise<ReviewRow[]> {
  return db
    .select()
    .from(reviews)
    .where(and(eq(reviews.productId, productId), eq(reviews.isHidden, false)))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(limit)
    .offset(offset);
}

export async function countReviews(db: Db, productId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(reviews)
    .where(and(eq(reviews.productId, productId), eq(reviews.isHidden, false)));
  return Number(row?.n ?? 0);
}

export async function insertReview(db: Db, values: typeof reviews.$inferInsert): Promise<ReviewRow> {
  const [row] = await db.insert(reviews).values(values).returning();
  return row as ReviewRow;
}

/** Recomputes the kept aggregates from the visible (not hidden) reviews; call under the product row lock. */
export async function refreshRating(db: Db, productId: string): Promise<void> {
  await db
    .update(products)
    .set({
      averageRating: sql`(select coalesce(round(avg(rating), 2), 0) from reviews where product_id = ${productId} and not is_hidden)`,
      reviewCount: sql`(select count(*) from reviews where product_id = ${productId} and not is_hidden)`,
    })
    .where(eq(products.id, productId));
}

export interface StaffReviewFilter {
  rating?: number;
  isHidden?: boolean;
  productSlug?: string;
}

export interface StaffReviewRow extends ReviewRow {
  product: { id: string; name: string; slug: string };
}

const staffColumns = { review: reviews, productName: products.name, productSlug: products.slug };

/** Every review (hidden ones too) across products, newest first, with its product's name and slug. */
export async function listReviewsForStaff(
  db: Db,
  filter: StaffReviewFilter,
  page: { limit: number; offset: number },
): Promise<{ count: number; rows: StaffReviewRow[] }> {
  const where: SQL[] = [];
  if (filter.rating !== undefined) where.push(eq(reviews.rating, filter.rating));
  if (filter.isHidden !== undefined) where.push(eq(reviews.isHidden, filter.isHidden));
  if (filter.productSlug !== undefined) where.push(eq(products.slug, filter.productSlug));
  const condition = where.length ? and(...where) : undefined;
  const [[total], rows] = await Promise.all([
    db.select({ n: count() }).from(reviews).innerJoin(products, eq(products.id, reviews.productId)).where(condition),
    db
      .select(staffColumns)
      .from(reviews)
      .innerJoin(products, eq(products.id, reviews.productId))
      .where(condition)
      .orderBy(desc(reviews.createdAt), desc(reviews.id))
      .limit(page.limit)
      .offset(page.offset),
  ]);
  return { count: Number(total?.n ?? 0), rows: rows.map(toStaffRow) };
}

function toStaffRow(r: { review: ReviewRow; productName: string; productSlug: string }): StaffReviewRow {
  return { ...r.review, product: { id: r.review.productId, name: r.productName, slug: r.productSlug } };
}

export async function findReviewForStaff(db: Db, id: string): Promise<StaffReviewRow | undefined> {
  const [row] = await db
    .select(staffColumns)
    .from(reviews)
    .innerJoin(products, eq(products.id, reviews.productId))
    .where(eq(reviews.id, id));
  return row ? toStaffRow(row) : undefined;
}

export async function setReviewHidden(db: Db, id: string, hidden: boolean): Promise<void> {
  await db.update(reviews).set({ isHidden: hidden, updatedAt: sql`now()` }).where(eq(reviews.id, id));
}

export async function deleteReview(db: Db, id: string): Promise<void> {
  await db.delete(reviews).where(eq(reviews.id, id));
}

export async function insertWishlistItem(db: Db, userId: string, productId: string) {
  const rows = await db.insert(wishlistItems).values({ userId, productId }).onConflictDoNothing().returning();
  return rows[0];
}

export async function findWishlistItem(db: Db, userId: string, productId: string) {
  const [row] = await db
    .select()
    .from(wishlistItems)
    .where(and(eq(wishlistItems.userId, userId), eq(wishlistItems.productId, productId)));
  return row;
}

export async function deleteWishlistItem(db: Db, userId: string, productId: string): Promise<boolean> {
  const rows = await db
    .delete(wishlistItems)
    .where(and(eq(wishlistItems.userId, userId), eq(wishlistItems.productId, productId)))
    .returning({ id: wishlistItems.id });
  return rows.length > 0;
}

/** Wishlist entries of visible products, newest first. */
export async function listWishlist(db: Db, userId: string, limit: number, offset: number) {
  const visible = and(eq(wishlistItems.userId, userId), eq(products.isActive, true), sql`${products.deletedAt} is null`);
  const [rows, [total]] = await Promise.all([
    db
      .select({ id: wishlistItems.id, productId: wishlistItems.productId, createdAt: wishlistItems.createdAt })
      .from(wishlistItems)
      .innerJoin(products, eq(products.id, wishlistItems.productId))
      .where(visible)
      .orderBy(desc(wishlistItems.createdAt), desc(wishlistItems.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(wishlistItems).innerJoin(products, eq(products.id, wishlistItems.productId)).where(visible),
  ]);
  return { rows, count: Number(total?.n ?? 0) };
}
