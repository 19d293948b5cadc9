// Product and variant SQL. A list page and a product page are ONE statement each: the products with their
// category joined and their variants and images aggregated as JSON (see relationColumns), whatever the page size.
import { and, asc, desc, eq, getTableColumns, inArray, isNull, ne, type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/db.js';
import { type ProductSearch, searchCondition, searchRank } from './catalog.search.js';
import { categories, type ImageRow, type ProductRow, products, productVariants, type VariantRow } from './catalog.tables.js';

export type Ordering = 'price' | '-price' | 'created_at' | '-created_at' | 'name' | '-name' | '-rating';
export const ORDERINGS: Ordering[] = ['price', '-price', 'created_at', '-created_at', 'name', '-name', '-rating'];

export interface ProductFilter {
  includeInactive: boolean;
  /** Staff lists only (with includeInactive): narrow to active/inactive and deleted/not deleted products. */
  isActive?: boolean;
  isDeleted?: boolean;
  categorySlug?: string;
  isFeatured?: boolean;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  search?: ProductSearch;
}

export interface ProductListRow extends ProductRow {
  category: { id: string; name: string; slug: string } | null;
}

/**
 * Where a page starts: an offset, or keyset after/before (`reverse`) the product with this id, then skipping
 * `offset` more rows (a deep numbered page seeks to its anchor, then skips less than one anchor step).
 */
export type Position = { offset: number } | { afterId: string; reverse: boolean; offset?: number };

const columns = {
  ...getTableColumns(products),
  categoryRefId: categories.id,
  categoryName: categories.name,
  categorySlug: categories.slug,
};

function conditions(filter: ProductFilter): SQL[] {
  const where: SQL[] = [];
  if (!filter.includeInactive) where.push(sql`${products.isActive} and ${products.deletedAt} is null`);
  if (filter.isActive !== undefined) where.push(eq(products.isActive, filter.isActive));
  if (filter.isDeleted !== undefined)
    where.push(filter.isDeleted ? sql`${products.deletedAt} is not null` : sql`${products.deletedAt} is null`);
  if (filter.categorySlug !== undefined) {
    // The subtree's ids as one array computed once per statement (an InitPlan), so the category indexes
    // seek `category_id = ANY($ids)` (a leaf is one ordered index range) instead of a semi-join over all
    // products. CYCLE bounds the walk even if a cycle got into the data (the 0013 trigger refuses new ones).
    where.push(sql`${products.categoryId} = any((
      with recursive tree(id) as (
        select id from categories where slug = ${filter.categorySlug}
        union all
        select c.id from categories c join tree on c.parent_id = tree.id
      ) cycle id set is_cycle using path
      select array_agg(id) from tree)::uuid[])`);
  }
  if (filter.isFeatured !== undefined) where.push(eq(products.isFeatured, filter.isFeatured));
  if (filter.minPrice !== undefined) where.push(sql`${products.price} >= ${filter.minPrice}`);
  if (filter.maxPrice !== undefined) where.push(sql`${products.price} <= ${filter.maxPrice}`);
  // kept by a trigger (0009_catalog_in_stock_trigger): active variants with stock > 0
  if (filter.inStock !== undefined)
    where.push(filter.inStock ? sql`${products.inStockVariants} > 0` : sql`${products.inStockVariants} = 0`);
  if (filter.search) where.push(searchCondition(filter.search));
  return where;
}

const sortColumn = {
  price: sql`${products.price}`,
  created_at: sql`${products.createdAt}`,
  name: sql`${products.name}`,
  rating: sql`${products.averageRating}`,
} as const;

function sortOf(ordering: Ordering): { column: SQL; descending: boolean; raw: string } {
  const descending = ordering.startsWith('-');
  const raw = ordering.replace(/^-/, '') as keyof typeof sortColumn;
  return { column: sortColumn[raw], descending, raw };
}

/** From the second row on (and for relevance order), ids are paged first (see pageQuery); page 1 reads directly. */
const DEFERRED_JOIN_OFFSET = 1;

export async function countProducts(db: Db, filter: ProductFilter): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(products)
    .where(and(...conditions(filter)));
  return Number(row?.count ?? 0);
}

/** The ORDER BY of a list, and the keyset condition that starts a cursor page (added to `where`). */
function orderOf(filter: ProductFilter, ordering: Ordering | undefined, position: Position, where: SQL[]): SQL[] {
  if (!ordering && filter.search) {
    return [sql`${searchRank(filter.search)} desc`, desc(products.createdAt), desc(products.id)];
  }
  const { column, descending, raw } = sortOf(ordering ?? '-created_at');
  const reverse = 'afterId' in position && position.reverse;
  const forwardDesc = descending !== reverse;
  if ('afterId' in position) {
    const pivot = sql`(select ${sql.raw(raw === 'rating' ? 'average_rating' : raw)}, id from products where id = ${position.afterId})`;
    where.push(forwardDesc ? sql`(${column}, ${products.id}) < ${pivot}` : sql`(${column}, ${products.id}) > ${pivot}`);
  }
  return forwardDesc ? [sql`${column} desc`, desc(products.id)] : [sql`${column} asc`, asc(products.id)];
}

/**
 * Variants and images of the row's product as JSON arrays (camelCase keys, the fields the API shows), in the
 * order the API lists them. Correlated subqueries in the select list: evaluated only for the rows returned.
 */
function relationColumns(includeInactive: boolean) {
  const activeOnly = includeInactive ? sql`` : sql` and v.is_active`;
  return {
    variants: sql<VariantJson[]>`coalesce((select json_agg(json_build_object('id', v.id, 'sku', v.sku, 'name', v.name,
      'options', v.options, 'price', v.price, 'stockQuantity', v.stock_quantity, 'lowStockThreshold', v.low_stock_threshold,
      'isActive', v.is_active, 'position', v.position) order by v.position, v.created_at)
      from product_variants v where v.product_id = ${products.id}${activeOnly}), '[]'::json)`,
    images: sql<ImageJson[]>`coalesce((select json_agg(json_build_object('id', i.id, 'url', i.url,
      'thumbnailUrl', i.thumbnail_url, 'altText', i.alt_text, 'position', i.position, 'isPrimary', i.is_primary,
      'width', i.width, 'height', i.height, 'createdAt', i.created_at) order by i.is_primary desc, i.position, i.created_at)
      from product_images i where i.product_id = ${products.id}), '[]'::json)`,
  };
}

/** A variant as the product JSON embeds it (see relationColumns). */
export type VariantJson = Pick<
  VariantRow,
  'id' | 'sku' | 'name' | 'options' | 'price' | 'stockQuantity' | 'lowStockThreshold' | 'isActive' | 'position'
>;
/** An image as the product JSON embeds it; `createdAt` is an ISO text when read through JSON. */
export type ImageJson = Omit<
  Pick<ImageRow, 'id' | 'url' | 'thumbnailUrl' | 'altText' | 'position' | 'isPrimary' | 'width' | 'height' | 'createdAt'>,
  'createdAt'
> & { createdAt: Date | string };

/** A product with its category, variants (active only unless the read includes inactive) and images. */
export interface ProductPageRow extends ProductListRow {
  variants: VariantJson[];
  images: ImageJson[];
}

type Selected = Record<string, unknown> & {
  categoryRefId: string | null;
  categoryName: string | null;
  categorySlug: string | null;
};

function withCategory<T extends Selected>({ categoryRefId, categoryName, categorySlug, ...p }: T) {
  return {
    ...p,
    category: categoryRefId ? { id: categoryRefId, name: categoryName as string, slug: categorySlug as string } : null,
  };
}

/** One page of products; `ordering` undefined with a search means by relevance. */
export async function listProducts(
  db: Db,
  filter: ProductFilter,
  ordering: Ordering | undefined,
  position: Position,
  limit: number,
): Promise<ProductListRow[]> {
  const rows = await pageQuery(db, columns, filter, ordering, position, limit);
  return rows.map((row) => withCategory(row) as unknown as ProductListRow);
}

/**
 * One page of products with their category, variants and images: ONE statement, whatever the page size.
 * Variants include inactive ones only when the filter includes inactive products (staff lists).
 */
export async function listProductsWithRelations(
  db: Db,
  filter: ProductFilter,
  ordering: Ordering | undefined,
  position: Position,
  limit: number,
): Promise<ProductPageRow[]> {
  const select = { ...columns, ...relationColumns(filter.includeInactive) };
  const rows = await pageQuery(db, select, filter, ordering, position, limit);
  return rows.map((row) => withCategory(row) as unknown as ProductPageRow);
}

/** The page's rows as selected by `select` (the list columns, plus the relations or not). */
async function pageQuery(
  db: Db,
  select: typeof columns,
  filter: ProductFilter,
  ordering: Ordering | undefined,
  position: Position,
  limit: number,
) {
  const where = conditions(filter);
  const order = orderOf(filter, ordering, position, where);
  const offset = position.offset ?? 0;
  const base = db.select(select).from(products).leftJoin(categories, eq(categories.id, products.categoryId));
  // by relevance every match is ranked (exact order): rank ids alone, then read the 20 rows (no wide-row sort)
  const byRelevance = !ordering && filter.search !== undefined;
  if (offset < DEFERRED_JOIN_OFFSET && !byRelevance) {
    return (await base
      .where(and(...where))
      .orderBy(...order)
      .limit(limit)
      .offset(offset)) as Selected[];
  }
  // Deep OFFSET pages: skip rows in an index-only scan of ids first, then join and read just the page's rows
  // (the relation subqueries then run for those rows only, never for the skipped ones).
  const ids = db
    .select({ id: products.id })
    .from(products)
    .where(and(...where))
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  return (await base.where(inArray(products.id, ids)).orderBy(...order)) as Selected[];
}

const visibleOnly = (includeInactive: boolean) =>
  includeInactive ? [] : [eq(products.isActive, true), isNull(products.deletedAt)];

/**
 * The exact count of a filter and its page anchors in one ordering, in ONE pass over the ordering's index:
 * the ids at ranks step, 2*step, ... (1-based). A numbered page deep in the list then starts with a keyset
 * seek after the anchor below it instead of skipping every row before it (see anchoredPosition in the service).
 */
export async function countWithAnchors(
  db: Db,
  filter: ProductFilter,
  ordering: Ordering,
  step: number,
): Promise<{ count: number; anchors: string[] }> {
  const where = conditions(filter);
  const order = orderOf(filter, ordering, { offset: 0 }, where);
  const [row] = await queryRows<{ count: number; anchors: string[] | null }>(
    db,
    sql`select count(*)::int as count, array_agg(id::text order by rank) filter (where rank % ${step} = 0) as anchors
        from (select ${products.id} as id, row_number() over (order by ${sql.join(order, sql`, `)}) as rank
              from ${products} where ${and(...where) ?? sql`true`}) ranked`,
  );
  return { count: Number(row?.count ?? 0), anchors: row?.anchors ?? [] };
}

export async function findProductBySlug(db: Db, slug: string, includeInactive: boolean): Promise<ProductListRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(products)
    .leftJoin(categories, eq(categories.id, products.categoryId))
    .where(and(eq(products.slug, slug), ...visibleOnly(includeInactive)));
  return row ? (withCategory(row) as unknown as ProductListRow) : undefined;
}

/** A product page: the product with its category, variants (inactive ones for staff) and images, in ONE statement. */
export async function productDetailBySlug(db: Db, slug: string, includeInactive: boolean): Promise<ProductPageRow | undefined> {
  const [row] = await db
    .select({ ...columns, ...relationColumns(includeInactive) })
    .from(products)
    .leftJoin(categories, eq(categories.id, products.categoryId))
    .where(and(eq(products.slug, slug), ...visibleOnly(includeInactive)));
  return row ? (withCategory(row) as unknown as ProductPageRow) : undefined;
}

/** Products by id (any state) with their category, active variants and images, in ONE statement. */
export async function productsByIds(db: Db, ids: string[]): Promise<ProductPageRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ ...columns, ...relationColumns(false) })
    .from(products)
    .leftJoin(categories, eq(categories.id, products.categoryId))
    .where(inArray(products.id, ids));
  return rows.map((row) => withCategory(row) as unknown as ProductPageRow);
}

export async function variantsOf(db: Db, productIds: string[], activeOnly: boolean): Promise<VariantRow[]> {
  if (productIds.length === 0) return [];
  return db
    .select()
    .from(productVariants)
    .where(and(inArray(productVariants.productId, productIds), ...(activeOnly ? [eq(productVariants.isActive, true)] : [])))
    .orderBy(asc(productVariants.position), asc(productVariants.createdAt));
}

export type NewProduct = typeof products.$inferInsert;
export type NewVariant = typeof productVariants.$inferInsert;

export async function insertProduct(db: Db, values: NewProduct) {
  const [row] = await db.insert(products).values(values).returning();
  return row as ProductRow;
}

export async function updateProduct(db: Db, id: string, values: Partial<NewProduct>) {
  const [row] = await db
    .update(products)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(products.id, id))
    .returning();
  return row;
}

/** Locks the product row: review writes serialize on it so the kept average stays exact. */
export async function lockProduct(db: Db, id: string): Promise<void> {
  await db.select({ id: products.id }).from(products).where(eq(products.id, id)).for('update');
}

export async function insertVariants(db: Db, values: NewVariant[]): Promise<VariantRow[]> {
  if (values.length === 0) return [];
  return db.insert(productVariants).values(values).returning();
}

export async function findVariant(db: Db, productId: string, variantId: string): Promise<VariantRow | undefined> {
  const [row] = await db
    .select()
    .from(productVariants)
    .where(and(eq(productVariants.productId, productId), eq(productVariants.id, variantId)));
  return row;
}

export async function updateVariant(db: Db, id: string, values: Partial<NewVariant>): Promise<VariantRow | undefined> {
  const [row] = await db
    .update(productVariants)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(productVariants.id, id))
    .returning();
  return row;
}

export async function deleteVariant(db: Db, id: string): Promise<void> {
  await db.delete(productVariants).where(eq(productVariants.id, id));
}

export async function countOtherVariants(db: Db, productId: string, variantId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(productVariants)
    .where(and(eq(productVariants.productId, productId), ne(productVariants.id, variantId), eq(productVariants.isActive, true)));
  return Number(row?.count ?? 0);
}

export async function slugsOfProducts(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.select({ slug: products.slug }).from(products).where(inArray(products.id, ids));
  return rows.map((r) => r.slug);
}

export async function categoryIdBySlug(db: Db, slug: string): Promise<string | undefined> {
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug));
  return row?.id;
}

export async function categoryExists(db: Db, id: string): Promise<boolean> {
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
  return Boolean(row);
}
