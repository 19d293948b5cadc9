// Review and wishlist SQL. The product's average_rating/review_count are recomputed from the reviews in the
// review's own transaction, under the product row lock.
import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { products, type ReviewRow, reviews, wishlistItems } from './catalog.tables.js';

export async function listReviews(db: Db, productId: string, limit: number, offset: number): Promise<ReviewRow[]> {
  return db
    .select()
    .from(reviews)
    .where(eq(reviews.productId, productId))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(limit)
    .offset(offset);
}

export async function countReviews(db: Db, productId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(reviews).where(eq(reviews.productId, productId));
  return Number(row?.n ?? 0);
}

export async function insertReview(db: Db, values: typeof reviews.$inferInsert): Promise<ReviewRow> {
  const [row] = await db.insert(reviews).values(values).returning();
  return row as ReviewRow;
}

export async function refreshRating(db: Db, productId: string): Promise<void> {
  await db
    .update(products)
    .set({
      averageRating: sql`(select coalesce(round(avg(rating), 2), 0) from reviews where product_id = ${productId})`,
      reviewCount: sql`(select count(*) from reviews where product_id = ${productId})`,
    })
    .where(eq(products.id, productId));
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
