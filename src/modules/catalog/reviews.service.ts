// Reviews (public list; one per user and product; verified purchase from delivered orders) and wishlists.
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { isUniqueViolation, NotFound, ValidationFailed } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { getUserSummary } from '../accounts/accounts.service.js';
import { invalidateCatalog } from './catalog.cache.js';
import type { ProductJson } from './catalog.present.js';
import * as catalogRepo from './catalog.repo.js';
import { presentProductsByIds } from './catalog.service.js';
import type { ReviewRow } from './catalog.tables.js';
import * as repo from './reviews.repo.js';

/**
 * Whether the user has received an order containing the product (the review's "verified purchase" mark).
 * Orders owns that knowledge and sits above catalog, so it is injected at wiring time (src/modules/index.ts)
 * instead of imported; without it no review is marked verified.
 */
export type VerifiedPurchaseCheck = (tx: Db, userId: string, productId: string) => Promise<boolean>;
let verifiedPurchaseCheck: VerifiedPurchaseCheck | undefined;

export function setVerifiedPurchaseCheck(check: VerifiedPurchaseCheck): void {
  verifiedPurchaseCheck = check;
}

async function visibleProduct(ctx: AppContext, slug: string) {
  const product = await catalogRepo.findProductBySlug(ctx.db, slug, false);
  if (!product) throw new NotFound('No Product matches the given query.');
  return product;
}

export async function listProductReviews(ctx: AppContext, slug: string, page: PageRequest) {
  const product = await visibleProduct(ctx, slug);
  const [count, rows] = await Promise.all([
    repo.countReviews(ctx.db, product.id),
    repo.listReviews(ctx.db, product.id, page.pageSize, page.offset),
  ]);
  return { count, results: rows };
}

/**
 * Posts the user's one review of a product. The product row is locked first, so concurrent reviews of one
 * product recompute its average one after another and the kept average_rating/review_count stay exact.
 * A second review by the same user is a 400, as DRF's unique-together validator answers.
 */
export async function postReview(
  ctx: AppContext,
  slug: string,
  userId: string,
  input: { rating: number; title?: string; body?: string },
) {
  const product = await visibleProduct(ctx, slug);
  const user = await getUserSummary(ctx.db, userId);
  const authorName = user ? `${user.firstName} ${user.lastName.slice(0, 1)}${user.lastName ? '.' : ''}`.trim() : '';
  const duplicate = () =>
    new ValidationFailed(
      { non_field_errors: ['You have already reviewed this product.'] },
      'You have already reviewed this product.',
      'unique',
    );
  let review: ReviewRow;
  const hasBought = verifiedPurchaseCheck;
  try {
    review = await ctx.db.transaction(async (tx) => {
      await catalogRepo.lockProduct(tx, product.id);
      const verified = hasBought ? await hasBought(tx, userId, product.id) : false;
      const row = await repo.insertReview(tx, {
        productId: product.id,
        userId,
        authorName,
        rating: input.rating,
        title: input.title ?? '',
        body: input.body ?? '',
        isVerifiedPurchase: verified,
      });
      await repo.refreshRating(tx, product.id);
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  await invalidateCatalog(ctx, { slugs: [slug] });
  return review;
}

// ---- moderation (staff) -----------------------------------------------------------------------------------

export async function listReviewsForStaff(ctx: AppContext, filter: repo.StaffReviewFilter, page: PageRequest) {
  const { count, rows } = await repo.listReviewsForStaff(ctx.db, filter, { limit: page.pageSize, offset: page.offset });
  return { count, results: rows };
}

export async function getReviewForStaff(ctx: AppContext, id: string) {
  const row = await repo.findReviewForStaff(ctx.db, id);
  if (!row) throw new NotFound('No Review matches the given query.');
  return row;
}

/**
 * Hides or deletes a review under its product's row lock, recomputing average_rating/review_count from the
 * visible reviews in the same transaction (as posting does), then drops the product's cached pages.
 */
async function moderate(ctx: AppContext, id: string, change: (tx: Db) => Promise<void>) {
  const existing = await repo.findReviewForStaff(ctx.db, id);
  if (!existing) throw new NotFound('No Review matches the given query.');
  await ctx.db.transaction(async (tx) => {
    await catalogRepo.lockProduct(tx, existing.productId);
    await change(tx);
    await repo.refreshRating(tx, existing.productId);
  });
  await invalidateCatalog(ctx, { slugs: [existing.product.slug] });
}

export async function setReviewHidden(ctx: AppContext, id: string, hidden: boolean) {
  await moderate(ctx, id, (tx) => repo.setReviewHidden(tx, id, hidden));
  return getReviewForStaff(ctx, id);
}

export async function deleteReviewByStaff(ctx: AppContext, id: string): Promise<void> {
  await moderate(ctx, id, (tx) => repo.deleteReview(tx, id));
}

export async function addToWishlist(ctx: AppContext, slug: string, userId: string) {
  const product = await visibleProduct(ctx, slug);
  const inserted = await repo.insertWishlistItem(ctx.db, userId, product.id);
  const item = inserted ?? (await repo.findWishlistItem(ctx.db, userId, product.id));
  const products = await presentProductsByIds(ctx.db, [product.id]);
  return {
    created: Boolean(inserted),
    item: {
      id: item?.id as string,
      product: products.get(product.id) as ProductJson,
      created_at: new Date(item?.createdAt ?? 0).toISOString(),
    },
  };
}

export async function removeFromWishlist(ctx: AppContext, slug: string, userId: string): Promise<void> {
  const product = await catalogRepo.findProductBySlug(ctx.db, slug, true);
  if (!product || !(await repo.deleteWishlistItem(ctx.db, userId, product.id))) {
    throw new NotFound('This product is not on your wishlist.');
  }
}

export async function listWishlist(ctx: AppContext, userId: string, page: PageRequest) {
  const { rows, count } = await repo.listWishlist(ctx.db, userId, page.pageSize, page.offset);
  const products = await presentProductsByIds(
    ctx.db,
    rows.map((r) => r.productId),
  );
  return {
    count,
    results: rows.map((r) => ({
      id: r.id,
      product: products.get(r.productId) as ProductJson,
      created_at: new Date(r.createdAt).toISOString(),
    })),
  };
}
