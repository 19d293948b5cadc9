// Maps catalog rows (camelCase, minor units) to the API's JSON shapes (snake_case, decimal strings).
import { formatMoney } from '../../core/money.js';
import type { ImageJson, ProductListRow, VariantJson } from './catalog.repo.js';
import type { ImageRow, ReviewRow, VariantRow } from './catalog.tables.js';
import type { StaffReviewRow } from './reviews.repo.js';

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

export function presentImage(image: ImageRow | ImageJson) {
  return {
    id: image.id,
    url: image.url,
    thumbnail_url: image.thumbnailUrl,
    alt_text: image.altText,
    position: image.position,
    is_primary: image.isPrimary,
    width: image.width,
    height: image.height,
    created_at: iso(image.createdAt),
  };
}

export function presentVariant(variant: VariantRow | VariantJson, productPrice: number, currency: string) {
  return {
    id: variant.id,
    sku: variant.sku,
    name: variant.name,
    options: variant.options,
    price: formatMoney(variant.price ?? productPrice, currency),
    price_override: variant.price === null ? null : formatMoney(variant.price, currency),
    stock_quantity: variant.stockQuantity,
    low_stock_threshold: variant.lowStockThreshold,
    is_active: variant.isActive,
    position: variant.position,
  };
}

/** `variants` may include inactive ones (staff views); stock counts only active variants. */
export function presentProduct(row: ProductListRow, variants: VariantJson[], images: ImageJson[]) {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    price: formatMoney(row.price, row.currency),
    compare_at_price: row.compareAtPrice === null ? null : formatMoney(row.compareAtPrice, row.currency),
    currency: row.currency,
    sku: row.sku,
    stock_quantity: variants.reduce((sum, v) => sum + (v.isActive ? v.stockQuantity : 0), 0),
    is_active: row.isActive,
    is_featured: row.isFeatured,
    category: row.category,
    images: images.map(presentImage),
    variants: variants.map((v) => presentVariant(v, row.price, row.currency)),
    average_rating: Number(row.averageRating).toFixed(2),
    review_count: row.reviewCount,
    deleted_at: row.deletedAt === null ? null : iso(row.deletedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export type ProductJson = ReturnType<typeof presentProduct>;

/** Groups rows by product id, keeping their order. */
export function byProduct<T extends { productId: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.productId) ?? [];
    list.push(row);
    map.set(row.productId, list);
  }
  return map;
}

export function presentReview(row: ReviewRow) {
  return {
    id: row.id,
    product_id: row.productId,
    user_id: row.userId,
    user_name: row.authorName,
    rating: row.rating,
    title: row.title,
    body: row.body,
    is_verified_purchase: row.isVerifiedPurchase,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

export function presentStaffReview(row: StaffReviewRow) {
  const { product_id: _productId, ...rest } = presentReview(row);
  return { ...rest, product: row.product, is_hidden: row.isHidden };
}
