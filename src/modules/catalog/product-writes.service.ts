// Staff writes to products and variants. Each write is one transaction; the cache is invalidated after commit.
import type { Static } from 'typebox';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { BusinessRuleFailed, fieldError, NotFound, pgErrorCode } from '../../core/errors.js';
import { parseMoney } from '../../core/money.js';
import { invalidateCatalog } from './catalog.cache.js';
import { presentVariant } from './catalog.present.js';
import * as repo from './catalog.repo.js';
import type { ProductCreate, ProductPatch, VariantInput, VariantPatch } from './catalog.schemas.js';
import { getProductDetail, resolveCategory, slugify, writeCatalog } from './catalog.service.js';
import type { ProductRow } from './catalog.tables.js';

type VariantIn = Static<typeof VariantInput>;

/** Slugs that would collide with fixed routes under /products/. */
const RESERVED_SLUGS = new Set(['categories']);

function checkSlug(slug: string) {
  if (!slug) throw fieldError('slug', 'Could not make a slug from the name; send one.');
  if (RESERVED_SLUGS.has(slug)) throw fieldError('slug', `"${slug}" is reserved.`);
}

function variantValues(v: Partial<VariantIn>, currency: string, field = 'price'): Partial<repo.NewVariant> {
  return {
    ...(v.sku !== undefined ? { sku: v.sku } : {}),
    ...(v.name !== undefined ? { name: v.name } : {}),
    ...(v.options !== undefined ? { options: v.options } : {}),
    ...(v.price !== undefined ? { price: v.price === null ? null : parseMoney(v.price, currency, field) } : {}),
    ...(v.stock_quantity !== undefined ? { stockQuantity: v.stock_quantity } : {}),
    ...(v.low_stock_threshold !== undefined ? { lowStockThreshold: v.low_stock_threshold } : {}),
    ...(v.is_active !== undefined ? { isActive: v.is_active } : {}),
    ...(v.position !== undefined ? { position: v.position } : {}),
  };
}

/** Creates a product and its variants; without variants it gets one default variant (every product has one). */
export async function createProduct(ctx: AppContext, input: Static<typeof ProductCreate>) {
  const currency = input.currency ?? ctx.config.currency;
  const slug = input.slug ?? slugify(input.name);
  checkSlug(slug);
  const sku = input.sku ?? slug.toUpperCase().slice(0, 64);
  const price = parseMoney(input.price, currency, 'price');
  const compareAtPrice = input.compare_at_price == null ? null : parseMoney(input.compare_at_price, currency, 'compare_at_price');
  const variants = input.variants?.length
    ? input.variants.map((v, i) => ({ position: i, ...variantValues(v, currency, `variants.${i}.price`), sku: v.sku }))
    : [{ sku, name: 'Default', stockQuantity: input.stock_quantity ?? 0 }];
  await writeCatalog(ctx, async (tx) => {
    const categoryId = (await resolveCategory(tx, input)) ?? null;
    const product = await repo.insertProduct(tx, {
      name: input.name,
      slug,
      sku,
      description: input.description ?? '',
      price,
      compareAtPrice,
      currency,
      categoryId,
      isActive: input.is_active ?? true,
      isFeatured: input.is_featured ?? false,
    });
    await repo.insertVariants(
      tx,
      variants.map((v) => ({ ...v, productId: product.id })),
    );
  });
  await invalidateCatalog(ctx, { slugs: [slug] });
  return getProductDetail(ctx.db, slug, true);
}

async function findForStaff(db: Db, slug: string): Promise<ProductRow> {
  const row = await repo.findProductBySlug(db, slug, true);
  if (!row) throw new NotFound('No Product matches the given query.');
  return row;
}

/** PUT (all fields) and PATCH (some): the schema decides which are required. */
export async function updateProduct(ctx: AppContext, slug: string, input: Static<typeof ProductPatch>) {
  const existing = await findForStaff(ctx.db, slug);
  const currency = input.currency ?? existing.currency;
  if (input.slug !== undefined) checkSlug(input.slug);
  const values: Partial<repo.NewProduct> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.sku !== undefined ? { sku: input.sku } : {}),
    ...(input.currency !== undefined ? { currency } : {}),
    ...(input.price !== undefined ? { price: parseMoney(input.price, currency, 'price') } : {}),
    ...(input.compare_at_price !== undefined
      ? {
          compareAtPrice:
            input.compare_at_price === null ? null : parseMoney(input.compare_at_price, currency, 'compare_at_price'),
        }
      : {}),
    ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
    ...(input.is_featured !== undefined ? { isFeatured: input.is_featured } : {}),
  };
  await writeCatalog(ctx, async (tx) => {
    const categoryId = await resolveCategory(tx, input);
    await repo.updateProduct(tx, existing.id, { ...values, ...(categoryId !== undefined ? { categoryId } : {}) });
  });
  const newSlug = input.slug ?? slug;
  await invalidateCatalog(ctx, { slugs: [slug, newSlug] });
  return getProductDetail(ctx.db, newSlug, true);
}

/** Soft delete: the row stays (orders and reviews point at it) but customers no longer see it. */
export async function deleteProduct(ctx: AppContext, slug: string): Promise<void> {
  const existing = await findForStaff(ctx.db, slug);
  await repo.updateProduct(ctx.db, existing.id, { deletedAt: ctx.now() });
  await invalidateCatalog(ctx, { slugs: [slug] });
}

/** Undoes a soft delete (idempotent): the product is visible again if it is active. */
export async function restoreProduct(ctx: AppContext, slug: string) {
  const existing = await findForStaff(ctx.db, slug);
  if (existing.deletedAt !== null) await repo.updateProduct(ctx.db, existing.id, { deletedAt: null });
  await invalidateCatalog(ctx, { slugs: [slug] });
  return getProductDetail(ctx.db, slug, true);
}

/** Variants of a product; customers see active variants of visible products only. */
export async function listVariants(ctx: AppContext, slug: string, staff: boolean) {
  const product = await repo.findProductBySlug(ctx.db, slug, staff);
  if (!product) throw new NotFound('No Product matches the given query.');
  const variants = await repo.variantsOf(ctx.db, [product.id], !staff);
  return variants.map((v) => presentVariant(v, product.price, product.currency));
}

export async function createVariant(ctx: AppContext, slug: string, input: VariantIn) {
  const product = await findForStaff(ctx.db, slug);
  const values = variantValues(input, product.currency);
  const [variant] = await writeCatalog(ctx, (tx) =>
    repo.insertVariants(tx, [{ ...values, sku: input.sku, productId: product.id }]),
  );
  await invalidateCatalog(ctx, { slugs: [slug] });
  return presentVariant(variant as NonNullable<typeof variant>, product.price, product.currency);
}

export async function updateVariant(ctx: AppContext, slug: string, variantId: string, input: Static<typeof VariantPatch>) {
  const product = await findForStaff(ctx.db, slug);
  const variant = await writeCatalog(ctx, async (tx) => {
    if (input.is_active === false) await assertNotLastActiveVariant(tx, product.id, variantId);
    else if (!(await repo.findVariant(tx, product.id, variantId)))
      throw new NotFound('No ProductVariant matches the given query.');
    return repo.updateVariant(tx, variantId, variantValues(input, product.currency));
  });
  await invalidateCatalog(ctx, { slugs: [slug] });
  return presentVariant(variant as NonNullable<typeof variant>, product.price, product.currency);
}

/**
 * Deletes a variant, keeping at least one active variant per product. A variant that orders or carts still
 * reference (foreign key) is deactivated instead, so history stays intact.
 */
export async function deleteVariant(ctx: AppContext, slug: string, variantId: string): Promise<void> {
  const product = await findForStaff(ctx.db, slug);
  await writeCatalog(ctx, async (tx) => {
    await assertNotLastActiveVariant(tx, product.id, variantId);
    try {
      // a savepoint, so a foreign-key refusal leaves the transaction (and the product lock) usable
      await tx.transaction((sp) => repo.deleteVariant(sp, variantId));
    } catch (error) {
      if (!['23503', '23001'].includes(pgErrorCode(error) ?? '')) throw error;
      await repo.updateVariant(tx, variantId, { isActive: false });
    }
  });
  await invalidateCatalog(ctx, { slugs: [slug] });
}

/**
 * Locks the product row, then checks that another active variant remains. Every change that can remove an
 * active variant (delete, deactivate) takes this lock first, so two concurrent ones run one after the other
 * and the second sees the first: the last active variant cannot be removed twice.
 */
async function assertNotLastActiveVariant(tx: Db, productId: string, variantId: string): Promise<void> {
  await repo.lockProduct(tx, productId);
  const existing = await repo.findVariant(tx, productId, variantId);
  if (!existing) throw new NotFound('No ProductVariant matches the given query.');
  if (existing.isActive && (await repo.countOtherVariants(tx, productId, variantId)) === 0) {
    throw new BusinessRuleFailed('A product needs at least one active variant.', 'last_variant');
  }
}
