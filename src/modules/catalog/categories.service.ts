// Categories: a tree through `parent_id`. Reads build the tree from one query; writes keep it acyclic and
// invalidate the catalog cache (details embed their category, list filters follow the tree).
import type { Static } from 'typebox';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { Conflict, fieldError, NotFound, pgConstraint, pgErrorCode } from '../../core/errors.js';
import { invalidateCatalog } from './catalog.cache.js';
import { slugify, writeCatalog } from './catalog.service.js';
import type { CategoryRow } from './catalog.tables.js';
import * as repo from './categories.repo.js';
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
  const rows = await repo.allCategories(db);
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
  // Ajv's type coercion turns a JSON null into "" for the string branch; DRF also reads "" as "no parent"
  if (ref === '') return null;
  const id = await repo.findCategoryIdByRef(db, ref);
  if (!id)
    throw fieldError(
      input.parent_id !== undefined ? 'parent_id' : 'parent',
      `Category "${ref}" does not exist.`,
      'does_not_exist',
    );
  return id;
}

const cycleError = () => fieldError('parent', 'A category cannot be moved under itself or its descendants.');

/** writeCatalog, with the database's cycle guard (trigger categories_no_cycle) answered as a 400 too. */
async function writeCategory<T>(ctx: AppContext, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await writeCatalog(ctx, work);
  } catch (error) {
    if (pgConstraint(error) === 'categories_no_cycle') throw cycleError();
    // the parent was deleted between our lookup and the write
    if (pgErrorCode(error) === '23503') throw fieldError('parent', 'The parent category no longer exists.', 'does_not_exist');
    throw error;
  }
}

export async function createCategory(ctx: AppContext, input: Static<typeof CategoryInput>) {
  const slug = input.slug ?? slugify(input.name);
  if (!slug) throw fieldError('slug', 'Could not make a slug from the name; send one.');
  const row = await writeCategory(ctx, async (tx) => {
    const parentId = (await resolveParent(tx, input)) ?? null;
    return repo.insertCategory(tx, {
      name: input.name,
      slug,
      description: input.description ?? '',
      parentId,
      position: input.position ?? 0,
      isActive: input.is_active ?? true,
    });
  });
  await invalidateCatalog(ctx, { categories: true });
  return node(row);
}

export async function updateCategory(ctx: AppContext, slug: string, input: Input) {
  const row = await writeCategory(ctx, async (tx) => {
    const existing = await repo.findCategoryBySlug(tx, slug);
    if (!existing) throw new NotFound('No Category matches the given query.');
    const parentId = await resolveParent(tx, input);
    if (parentId && parentId !== existing.parentId) {
      // held to commit: a concurrent opposite move waits here and then sees this one in its check
      await repo.lockCategoryTree(tx);
      if (await repo.isSelfOrDescendant(tx, existing.id, parentId)) throw cycleError();
    }
    return repo.updateCategoryRow(tx, existing.id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    });
  });
  await invalidateCatalog(ctx, { categories: true });
  return node(row);
}

/** Products of a deleted category become uncategorized; a category with subcategories cannot be deleted. */
export async function deleteCategory(ctx: AppContext, slug: string): Promise<void> {
  const existing = await repo.findCategoryBySlug(ctx.db, slug);
  if (!existing) throw new NotFound('No Category matches the given query.');
  try {
    await repo.deleteCategoryRow(ctx.db, existing.id);
  } catch (error) {
    if (['23503', '23001'].includes(pgErrorCode(error) ?? ''))
      throw new Conflict('Delete or move its subcategories first.', 'has_children');
    throw error;
  }
  await invalidateCatalog(ctx, { categories: true });
}
