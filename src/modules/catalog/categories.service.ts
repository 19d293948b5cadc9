// Categories: a tree through `parent_id`. Reads build the tree from one query; writes keep it acyclic and
// invalidate the catalog cache (details embed their category, list filters follow the tree).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { AppContext } from '../../core/context.js';
import { type Db, queryRows } from '../../core/db.js';
import { Conflict, fieldError, NotFound, pgErrorCode } from '../../core/errors.js';
import { invalidateCatalog } from './catalog.cache.js';
import { slugify, writeCatalog } from './catalog.service.js';
import { type CategoryRow, categories } from './catalog.tables.js';
import type { CategoryInput } from './categories.schemas.js';

export interface CategoryNode {
  id: string;
  name: string;
  slug: string;
  description: string;
  parent: string | null;
  position: number;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  children: CategoryNode[];
}

function node(row: CategoryRow): CategoryNode {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    parent: row.parentId,
    position: row.position,
    is_active: row.isActive,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    children: [],
  };
}

/** Every category as nested roots, ordered by position then name. Inactive ones (and below) only for staff. */
export async function categoryTree(db: Db, includeInactive: boolean): Promise<CategoryNode[]> {
  const rows = await db.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
  const nodes = new Map(rows.map((r) => [r.id, node(r)]));
  const roots: CategoryNode[] = [];
  for (const row of rows) {
    if (!includeInactive && !row.isActive) continue;
    const current = nodes.get(row.id) as CategoryNode;
    if (row.parentId === null) roots.push(current);
    else nodes.get(row.parentId)?.children.push(current);
  }
  // an inactive category is never attached, so its (active) children are unreachable too
  return roots;
}

export async function categoryDetail(db: Db, slug: string, includeInactive: boolean): Promise<CategoryNode> {
  const stack = await categoryTree(db, includeInactive);
  while (stack.length) {
    const current = stack.pop() as CategoryNode;
    if (current.slug === slug) return current;
    stack.push(...current.children);
  }
  throw new NotFound('No Category matches the given query.');
}

type Input = Partial<Static<typeof CategoryInput>>;

async function resolveParent(db: Db, input: Input): Promise<string | null | undefined> {
  const ref = input.parent_id !== undefined ? input.parent_id : input.parent;
  if (ref === undefined || ref === null) return ref;
  const [row] = await db
    .select({ id: categories.id })
    .from(categories)
    .where(
      /^[0-9a-f-]{36}$/i.test(ref)
        ? sql`${categories.id}::text = ${ref} or ${categories.slug} = ${ref}`
        : eq(categories.slug, ref),
    );
  if (!row)
    throw fieldError(
      input.parent_id !== undefined ? 'parent_id' : 'parent',
      `Category "${ref}" does not exist.`,
      'does_not_exist',
    );
  return row.id;
}

export async function createCategory(ctx: AppContext, input: Static<typeof CategoryInput>) {
  const slug = input.slug ?? slugify(input.name);
  if (!slug) throw fieldError('slug', 'Could not make a slug from the name; send one.');
  const row = await writeCatalog(ctx, async (tx) => {
    const parentId = (await resolveParent(tx, input)) ?? null;
    const [created] = await tx
      .insert(categories)
      .values({
        name: input.name,
        slug,
        description: input.description ?? '',
        parentId,
        position: input.position ?? 0,
        isActive: input.is_active ?? true,
      })
      .returning();
    return created as CategoryRow;
  });
  await invalidateCatalog(ctx, { categories: true });
  return node(row);
}

export async function updateCategory(ctx: AppContext, slug: string, input: Input) {
  const row = await writeCatalog(ctx, async (tx) => {
    const [existing] = await tx.select().from(categories).where(eq(categories.slug, slug));
    if (!existing) throw new NotFound('No Category matches the given query.');
    const parentId = await resolveParent(tx, input);
    if (parentId) {
      const below = await queryRows<{ id: string }>(
        tx,
        sql`with recursive tree as (select id from categories where id = ${existing.id}
              union all select c.id from categories c join tree on c.parent_id = tree.id)
            select id from tree where id = ${parentId}`,
      );
      if (below.length) throw fieldError('parent', 'A category cannot be moved under itself or its descendants.');
    }
    const [updated] = await tx
      .update(categories)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.slug !== undefined ? { slug: input.slug } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(parentId !== undefined ? { parentId } : {}),
        ...(input.position !== undefined ? { position: input.position } : {}),
        ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
        updatedAt: sql`now()`,
      })
      .where(and(eq(categories.id, existing.id)))
      .returning();
    return updated as CategoryRow;
  });
  await invalidateCatalog(ctx, { categories: true });
  return node(row);
}

/** Products of a deleted category become uncategorized; a category with subcategories cannot be deleted. */
export async function deleteCategory(ctx: AppContext, slug: string): Promise<void> {
  const [existing] = await ctx.db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug));
  if (!existing) throw new NotFound('No Category matches the given query.');
  try {
    await ctx.db.delete(categories).where(eq(categories.id, existing.id));
  } catch (error) {
    if (['23503', '23001'].includes(pgErrorCode(error) ?? ''))
      throw new Conflict('Delete or move its subcategories first.', 'has_children');
    throw error;
  }
  await invalidateCatalog(ctx, { categories: true });
}
