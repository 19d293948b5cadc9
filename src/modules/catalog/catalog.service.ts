// Catalog service: product listing (filters, search, page and keyset pagination), detail, staff CRUD of
// products, and the cache invalidation other modules call after changing stock.
import { LRUCache } from 'lru-cache';
import { getJson, setJson } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { fieldError, isUniqueViolation, NotFound, pgConstraint, type ValidationFailed } from '../../core/errors.js';
import { isUuid } from '../../core/http.js';
import { parseMoney } from '../../core/money.js';
import { type PageRequest, pageRequest } from '../../core/pagination.js';
import { cachedCount, invalidateCatalog, listCacheKey } from './catalog.cache.js';
import { type ProductJson, presentProduct } from './catalog.present.js';
import type { Ordering, Position, ProductFilter } from './catalog.repo.js';
import * as repo from './catalog.repo.js';
import { findTypos } from './catalog.search.js';

/**
 * Drops every cached representation (detail, list pages, category tree as needed) of these products.
 * Called after commit by any module that changed product data or stock (orders on checkout and cancel).
 */
export async function invalidateProductCache(ctx: AppContext, productIds: string[]): Promise<void> {
  const slugs = await repo.slugsOfProducts(ctx.db, productIds).catch((error) => {
    ctx.log.error({ err: error }, 'could not load product slugs for cache invalidation');
    return [] as string[];
  });
  await invalidateCatalog(ctx, { slugs });
}

export interface ProductListQuery {
  page?: number;
  page_size?: number;
  cursor?: string;
  category?: string;
  is_featured?: boolean;
  min_price?: string;
  max_price?: string;
  in_stock?: boolean;
  search?: string;
  ordering?: Ordering;
  include_inactive?: boolean;
  is_active?: boolean;
  is_deleted?: boolean;
}

/** Rows read with their relations (one statement), presented. */
const present = (rows: repo.ProductPageRow[]) => rows.map((row) => presentProduct(row, row.variants, row.images));

interface Cursor {
  /** keyset: the product id the page starts after (or before, when reversed) */
  k?: string;
  r?: 1;
  /** offset, for relevance order (rank is computed, so it has no keyset) */
  o?: number;
}

// a hand-made cursor reaches SQL: only a real uuid and a bigint-sized offset may pass
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string): Cursor {
  if (text === '') return {};
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    const validKey = cursor.k === undefined || UUID.test(cursor.k);
    const validOffset = cursor.o === undefined || (Number.isSafeInteger(cursor.o) && cursor.o >= 0);
    if (cursor && typeof cursor === 'object' && validKey && validOffset) return cursor;
  } catch {
    // fall through
  }
  throw new NotFound('Invalid cursor', 'invalid_cursor');
}

export { encodeCursor };

export function filterOf(ctx: AppContext, query: ProductListQuery, staff: boolean): ProductFilter {
  const currency = ctx.config.currency;
  const search = query.search?.trim();
  const includeInactive = staff && query.include_inactive === true;
  return {
    includeInactive,
    isActive: includeInactive ? query.is_active : undefined,
    isDeleted: includeInactive ? query.is_deleted : undefined,
    categorySlug: query.category || undefined,
    isFeatured: query.is_featured,
    minPrice: query.min_price === undefined ? undefined : parseMoney(query.min_price, currency, 'min_price'),
    maxPrice: query.max_price === undefined ? undefined : parseMoney(query.max_price, currency, 'max_price'),
    inStock: query.in_stock,
    search: search ? { text: search, typos: {} } : undefined,
  };
}

/**
 * Adds the typo variants of the search words (one indexed lookup), so the search tolerates typos. Public
 * searches keep them under the catalog generation (search_words only change with products, which bump it),
 * so a miss of another page or ordering of the same search skips the lookup.
 */
async function withTypos(ctx: AppContext, filter: ProductFilter): Promise<ProductFilter> {
  const search = filter.search;
  if (!search) return filter;
  const lookup = () => findTypos(ctx.db, search.text);
  if (filter.includeInactive) {
    search.typos = await lookup();
    return filter;
  }
  let key: string | undefined;
  let hit: Record<string, string[]> | undefined;
  try {
    key = await listCacheKey(ctx, 'typos', { t: search.text });
    hit = await getJson<Record<string, string[]>>(ctx.cache, key);
  } catch (error) {
    ctx.log.warn({ err: error }, 'catalog typos cache read failed');
    key = undefined;
  }
  search.typos = hit ?? (await lookup());
  if (key && !hit) await setJson(ctx.cache, key, search.typos, ctx.config.cacheTtl).catch(() => {});
  return filter;
}

/** Rows between page anchors: a deep numbered page seeks to its anchor, then skips fewer than this many rows. */
export const ANCHOR_STEP = 100;

/**
 * Anchors already parsed in this process, by cache key. The key embeds the catalog generation, so a write
 * makes every entry unreachable (never stale); kept because parsing ~1,000 ids per deep-page miss was a large
 * share of that request's allocations. Capped by bytes.
 */
const parsedAnchors = new LRUCache<string, string[]>({
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: (anchors, key) => anchors.length * 96 + key.length * 2 + 64,
});

/** The cached page anchors of a filter in an ordering (see repo.countWithAnchors), with their cache key. */
async function cachedAnchors(ctx: AppContext, filterKey: Record<string, unknown>, ordering: Ordering) {
  try {
    const key = await listCacheKey(ctx, 'anchors', { f: JSON.stringify(filterKey), o: ordering, s: ANCHOR_STEP });
    const parsed = parsedAnchors.get(key);
    if (parsed) return { key, anchors: parsed };
    const anchors = await getJson<string[]>(ctx.cache, key);
    if (anchors) parsedAnchors.set(key, anchors);
    return { key, anchors };
  } catch (error) {
    ctx.log.warn({ err: error }, 'catalog anchors cache read failed');
    return undefined; // no cache: plain OFFSET pages, rather than a full ranking per request
  }
}

/** Concurrent deep-page misses of one filter and ordering in this process share one ranking pass. */
const ranking = new Map<string, Promise<{ count: number; anchors: string[] }>>();

function rankOnce(key: string, rank: () => Promise<{ count: number; anchors: string[] }>) {
  let pending = ranking.get(key);
  if (!pending) {
    pending = rank().finally(() => ranking.delete(key));
    ranking.set(key, pending);
  }
  return pending;
}

/** A numbered page starting at `offset`: after the deepest anchor at or above it, or at the offset itself. */
export function anchoredPosition(anchors: string[], offset: number): Position {
  const index = Math.min(Math.floor(offset / ANCHOR_STEP), anchors.length) - 1;
  const anchor = anchors[index];
  return anchor ? { afterId: anchor, reverse: false, offset: offset - (index + 1) * ANCHOR_STEP } : { offset };
}

/**
 * The exact count and the rows of a numbered page: at most 2 statements on a miss (the count or the count with
 * the anchors when they are not cached, then the page); 1 once they are. Pages from ANCHOR_STEP on start with
 * an index seek after their anchor, so page 4,000 costs about what page 1 does.
 */
async function numberedPage(ctx: AppContext, filter: ProductFilter, ordering: Ordering | undefined, page: PageRequest) {
  const list = (position: Position) => repo.listProductsWithRelations(ctx.db, filter, ordering, position, page.pageSize);
  // staff lists with inactive products are never cached (they must show an edit at once), nor is their count
  if (filter.includeInactive) {
    const count = await repo.countProducts(ctx.db, filter);
    return { count, rows: count > page.offset ? await list(page) : [] };
  }
  const filterKey = { ...filter, search: filter.search?.text };
  const cached = ordering && page.offset >= ANCHOR_STEP ? await cachedAnchors(ctx, filterKey, ordering) : undefined;
  let anchors = cached?.anchors;
  // a deep page of an ordering whose anchors are not cached ranks the filter once, with the count if that missed
  const rankFilter =
    cached && !anchors && ordering
      ? async () => {
          const found = await rankOnce(cached.key, async () => {
            const ranked = await repo.countWithAnchors(ctx.db, filter, ordering, ANCHOR_STEP);
            await setJson(ctx.cache, cached.key, ranked.anchors, ctx.config.cacheTtl).catch(() => {});
            parsedAnchors.set(cached.key, ranked.anchors);
            return ranked;
          });
          anchors = found.anchors;
          return found.count;
        }
      : undefined;
  const count = await cachedCount(ctx, filterKey, rankFilter ?? (() => repo.countProducts(ctx.db, filter)));
  if (count <= page.offset) return { count, rows: [] };
  if (rankFilter && !anchors) await rankFilter();
  return { count, rows: await list(anchors ? anchoredPosition(anchors, page.offset) : page) };
}

/**
 * One page of the product list: a numbered page (with the total) by default, or a cursor page when `cursor` is
 * given, whose `next`/`previous` are the cursors to ask for (the route turns both into links).
 */
export type ProductListPage =
  | { page: PageRequest; count: number; results: ProductJson[] }
  | { next: string | null; previous: string | null; results: ProductJson[] };

/** The product list: DRF page-number pages by default, keyset (cursor) pages when `cursor` is given. */
export async function listProductPage(ctx: AppContext, query: ProductListQuery, staff: boolean): Promise<ProductListPage> {
  const filter = await withTypos(ctx, filterOf(ctx, query, staff));
  const ordering = query.ordering ?? (filter.search ? undefined : '-created_at');
  if (query.cursor === undefined) {
    const page = pageRequest(query);
    const { count, rows } = await numberedPage(ctx, filter, ordering, page);
    return { page, count, results: present(rows) };
  }
  const cursor = decodeCursor(query.cursor);
  const size = query.page_size ?? 20;
  const keyset = ordering !== undefined;
  const position: Position =
    keyset && cursor.k ? { afterId: cursor.k, reverse: cursor.r === 1 } : { offset: keyset ? 0 : (cursor.o ?? 0) };
  const rows = await repo.listProductsWithRelations(ctx.db, filter, ordering, position, size + 1);
  const more = rows.length > size;
  const page = rows.slice(0, size);
  const reversed = 'reverse' in position && position.reverse;
  if (reversed) page.reverse();
  const link = (c: Cursor) => encodeCursor(c);
  let next: string | null = null;
  let previous: string | null = null;
  if (keyset) {
    const first = page[0];
    const last = page.at(-1);
    const hasNext = reversed ? true : more;
    const hasPrevious = reversed ? more : Boolean(cursor.k);
    if (hasNext && last) next = link({ k: last.id });
    if (hasPrevious && first) previous = link({ k: first.id, r: 1 });
  } else {
    const offset = position.offset ?? 0;
    if (more) next = link({ o: offset + size });
    if (offset > 0) previous = offset - size > 0 ? link({ o: offset - size }) : link({});
  }
  return { next, previous, results: present(page) };
}

export async function getProductDetail(db: Db, slug: string, staff: boolean): Promise<ProductJson> {
  const row = await repo.productDetailBySlug(db, slug, staff);
  if (!row) throw new NotFound('No Product matches the given query.');
  return presentProduct(row, row.variants, row.images);
}

/** Products by id as the API shows them (customer view), keyed by id; one statement. */
export async function presentProductsByIds(db: Db, ids: string[]): Promise<Map<string, ProductJson>> {
  const presented = present(await repo.productsByIds(db, ids));
  return new Map(presented.map((p) => [p.id, p]));
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

/** Turns unique violations of catalog constraints into DRF-style field errors. */
export function uniqueFieldError(error: unknown): ValidationFailed | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const constraint = pgConstraint(error) ?? '';
  if (constraint === 'products_slug_unique') return fieldError('slug', 'product with this slug already exists.', 'unique');
  if (constraint === 'products_sku_unique') return fieldError('sku', 'product with this sku already exists.', 'unique');
  if (constraint === 'product_variants_sku_unique') {
    return fieldError('sku', 'product variant with this sku already exists.', 'unique');
  }
  if (constraint === 'categories_slug_unique') return fieldError('slug', 'category with this slug already exists.', 'unique');
  return undefined;
}

/** Runs a write transaction, mapping unique violations to 400s. */
export async function writeCatalog<T>(ctx: AppContext, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction(work);
  } catch (error) {
    throw uniqueFieldError(error) ?? error;
  }
}

/** Resolves `category_id` (uuid) or `category` (slug or uuid) to an id; null clears; undefined leaves as is. */
export async function resolveCategory(
  db: Db,
  input: { category_id?: string | null; category?: string | null },
): Promise<string | null | undefined> {
  if (input.category_id !== undefined) {
    if (input.category_id === null) return null;
    if (await repo.categoryExists(db, input.category_id)) return input.category_id;
    throw fieldError('category_id', `Invalid pk "${input.category_id}" - object does not exist.`, 'does_not_exist');
  }
  if (input.category === undefined) return undefined;
  if (input.category === null) return null;
  const id =
    isUuid(input.category) && (await repo.categoryExists(db, input.category))
      ? input.category
      : await repo.categoryIdBySlug(db, input.category);
  if (id) return id;
  throw fieldError('category', `Category "${input.category}" does not exist.`, 'does_not_exist');
}
