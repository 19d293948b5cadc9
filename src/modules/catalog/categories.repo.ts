// Category rows: the whole tree in one query, lookups by slug or id, and the descendant check for moves.
import { asc, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/db.js';
import { type CategoryRow, categories } from './catalog.tables.js';

export type NewCategory = typeof categories.$inferInsert;

export async function allCategories(db: Db): Promise<CategoryRow[]> {
  return db.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
}

export async function findCategoryBySlug(db: Db, slug: string): Promise<CategoryRow | undefined> {
  const [row] = await db.select().from(categories).where(eq(categories.slug, slug));
  return row;
}

/** The id of the category with this slug, or with this id when `ref` looks like a uuid. */
export async function findCategoryIdByRef(db: Db, ref: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: categories.id })
    .from(categories)
    .where(
      // compared as text, so a uuid-shaped slug that is not a valid uuid cannot fail the query
      /^[0-9a-f-]{36}$/i.test(ref)
        ? sql`${categories.id}::text = ${ref} or ${categories.slug} = ${ref}`
        : eq(categories.slug, ref),
    );
  return row?.id;
}

export async function insertCategory(db: Db, values: NewCategory): Promise<CategoryRow> {
  const [row] = await db.insert(categories).values(values).returning();
  return row as CategoryRow;
}

export async function updateCategoryRow(db: Db, id: string, changes: Partial<NewCategory>): Promise<CategoryRow> {
  const [row] = await db
    .update(categories)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(categories.id, id))
    .returning();
  return row as CategoryRow;
}

/** The advisory lock every tree-shape change holds until commit; the cycle trigger (0013) takes it too. */
const CATEGORY_TREE_LOCK = 727_013;

/** Serializes parent changes: two opposite moves can no longer both pass their cycle check. */
export async function lockCategoryTree(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${CATEGORY_TREE_LOCK})`);
}

/** True when `candidateId` is the category itself or one of its descendants (a move there would make a cycle). */
export async function isSelfOrDescendant(db: Db, categoryId: string, candidateId: string): Promise<boolean> {
  // CYCLE stops the walk at a repeated id, so a cycle already in the data cannot make it loop
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with recursive tree(id) as (select id from categories where id = ${categoryId}
          union all select c.id from categories c join tree on c.parent_id = tree.id)
        cycle id set is_cycle using path
        select id from tree where id = ${candidateId} limit 1`,
  );
  return rows.length > 0;
}

export async function deleteCategoryRow(db: Db, id: string): Promise<void> {
  await db.delete(categories).where(eq(categories.id, id));
}
