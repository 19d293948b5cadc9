// Product image rows. At most one primary image per product (partial unique index).
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { type ImageRow, productImages } from './catalog.tables.js';

export async function nextPosition(db: Db, productId: string): Promise<{ position: number; count: number }> {
  const [row] = await db
    .select({ position: sql<number>`coalesce(max(position) + 1, 0)::int`, count: sql<number>`count(*)::int` })
    .from(productImages)
    .where(eq(productImages.productId, productId));
  return { position: Number(row?.position ?? 0), count: Number(row?.count ?? 0) };
}

export async function clearPrimary(db: Db, productId: string): Promise<void> {
  await db
    .update(productImages)
    .set({ isPrimary: false })
    .where(and(eq(productImages.productId, productId), eq(productImages.isPrimary, true)));
}

export async function insertImage(db: Db, values: typeof productImages.$inferInsert): Promise<ImageRow> {
  const [row] = await db.insert(productImages).values(values).returning();
  return row as ImageRow;
}

export async function deleteImage(db: Db, productId: string, imageId: string): Promise<ImageRow | undefined> {
  const [row] = await db
    .delete(productImages)
    .where(and(eq(productImages.productId, productId), eq(productImages.id, imageId)))
    .returning();
  return row;
}

/** After the primary image is deleted, the first remaining one (by position) becomes primary. */
export async function promoteFirst(db: Db, productId: string): Promise<void> {
  const [first] = await db
    .select({ id: productImages.id })
    .from(productImages)
    .where(eq(productImages.productId, productId))
    .orderBy(asc(productImages.position), asc(productImages.createdAt))
    .limit(1);
  if (first) await db.update(productImages).set({ isPrimary: true }).where(eq(productImages.id, first.id));
}

export async function imagesOfProduct(db: Db, productId: string): Promise<ImageRow[]> {
  return db
    .select()
    .from(productImages)
    .where(eq(productImages.productId, productId))
    .orderBy(desc(productImages.isPrimary), asc(productImages.position), asc(productImages.createdAt));
}

export async function updateImage(
  db: Db,
  productId: string,
  imageId: string,
  values: Partial<Pick<ImageRow, 'position' | 'altText' | 'isPrimary'>>,
): Promise<ImageRow | undefined> {
  const [row] = await db
    .update(productImages)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(productImages.productId, productId), eq(productImages.id, imageId)))
    .returning();
  return row;
}

/** Positions 0..n-1 in the order of `ids`, in one statement. */
export async function setPositions(db: Db, productId: string, ids: string[]): Promise<void> {
  const cases = sql.join(
    ids.map((id, i) => sql`when ${id}::uuid then ${i}::int`),
    sql` `,
  );
  await db
    .update(productImages)
    .set({ position: sql`case ${productImages.id} ${cases} else ${productImages.position} end`, updatedAt: sql`now()` })
    .where(eq(productImages.productId, productId));
}
