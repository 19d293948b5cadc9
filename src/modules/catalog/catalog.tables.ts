import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../../core/columns.js';
import { users } from '../accounts/accounts.tables.js';

/** What customers may see: partial indexes below use this exact predicate so the planner can match it. */
const visible = sql`is_active and deleted_at is null`;

export const categories = pgTable(
  'categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    description: text('description').notNull().default(''),
    parentId: uuid('parent_id').references((): AnyPgColumn => categories.id, { onDelete: 'restrict' }),
    position: integer('position').notNull().default(0),
    isActive: boolean('is_active').notNull().default(true),
    ...timestamps,
  },
  (t) => [index('categories_parent_idx').on(t.parentId, t.position)],
);

/** Money columns are integer minor units of `currency`. Stock lives on variants. */
export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    description: text('description').notNull().default(''),
    sku: text('sku').notNull().unique(),
    price: integer('price').notNull(),
    compareAtPrice: integer('compare_at_price'),
    currency: text('currency').notNull(),
    categoryId: uuid('category_id').references(() => categories.id, { onDelete: 'set null' }),
    isActive: boolean('is_active').notNull().default(true),
    isFeatured: boolean('is_featured').notNull().default(false),
    /** Kept in the review's transaction, so detail pages never aggregate reviews per request. */
    averageRating: numeric('average_rating', { precision: 3, scale: 2 }).notNull().default('0'),
    reviewCount: integer('review_count').notNull().default(0),
    /**
     * How many active variants have stock: kept by a deferred trigger on product_variants (migration
     * 0009_catalog_in_stock_trigger) with +1/-1 deltas, so the `in_stock` filter is a column test, not a semi-join.
     */
    inStockVariants: integer('in_stock_variants').notNull().default(0),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check('products_price_check', sql`${t.price} >= 0`),
    check('products_compare_at_price_check', sql`${t.compareAtPrice} is null or ${t.compareAtPrice} >= 0`),
    index('products_category_idx').on(t.categoryId),
    // The list endpoint's sorts, for what customers see (active, not deleted); the id makes keyset cursors exact.
    index('products_visible_created_idx').on(t.createdAt, t.id).where(visible),
    index('products_visible_price_idx').on(t.price, t.id).where(visible),
    index('products_visible_name_idx').on(t.name, t.id).where(visible),
    index('products_visible_rating_idx').on(t.averageRating, t.id).where(visible),
    index('products_visible_category_created_idx').on(t.categoryId, t.createdAt, t.id).where(visible),
    // also products_visible_category_price_idx (category_id, price, id) INCLUDE (in_stock_variants), in raw SQL
    // (0010_catalog_category_price_idx) because the index builder has no INCLUDE
    index('products_visible_featured_created_idx').on(t.createdAt, t.id).where(sql`${visible} and is_featured`),
    // staff lists (?include_inactive=true) order by created_at over every row
    index('products_created_idx').on(t.createdAt, t.id),
    // typo-tolerant search falls back to trigram similarity on the name (extension created in 0002_catalog_search)
    index('products_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const productVariants = pgTable(
  'product_variants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull().default(''),
    options: jsonb('options').notNull().default({}).$type<Record<string, string>>(),
    /** Overrides the product price when set (minor units). */
    price: integer('price'),
    stockQuantity: integer('stock_quantity').notNull().default(0),
    lowStockThreshold: integer('low_stock_threshold').notNull().default(5),
    isActive: boolean('is_active').notNull().default(true),
    position: integer('position').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check('product_variants_stock_check', sql`${t.stockQuantity} >= 0`),
    check('product_variants_price_check', sql`${t.price} is null or ${t.price} >= 0`),
    index('product_variants_product_idx').on(t.productId, t.position),
    // `in_stock` filter: does the product have an active variant with stock?
    index('product_variants_in_stock_idx').on(t.productId).where(sql`is_active and stock_quantity > 0`),
    // the admin dashboard's low-stock list: only the (few) variants at or under their threshold are indexed
    index('product_variants_low_stock_idx')
      .on(t.stockQuantity, t.sku)
      .where(sql`is_active and stock_quantity <= low_stock_threshold`),
  ],
);

/** Files live in the storage backend under `storageKey`/`thumbnailKey`; the URLs are what clients get. */
export const productImages = pgTable(
  'product_images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    storageKey: text('storage_key').notNull(),
    thumbnailKey: text('thumbnail_key').notNull(),
    url: text('url').notNull(),
    thumbnailUrl: text('thumbnail_url').notNull(),
    contentType: text('content_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    altText: text('alt_text').notNull().default(''),
    position: integer('position').notNull().default(0),
    isPrimary: boolean('is_primary').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index('product_images_product_idx').on(t.productId, t.position),
    uniqueIndex('product_images_one_primary_idx').on(t.productId).where(sql`is_primary`),
  ],
);

export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Display name snapshot ("Casey C.") taken at posting, so review lists need no user lookups. */
    authorName: text('author_name').notNull().default(''),
    rating: integer('rating').notNull(),
    title: text('title').notNull().default(''),
    body: text('body').notNull().default(''),
    isVerifiedPurchase: boolean('is_verified_purchase').notNull().default(false),
    /** Hidden by a moderator: out of the public list and of the product's average_rating/review_count. */
    isHidden: boolean('is_hidden').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check('reviews_rating_check', sql`${t.rating} between 1 and 5`),
    unique('reviews_user_product_unique').on(t.userId, t.productId),
    index('reviews_product_created_idx').on(t.productId, t.createdAt),
    // staff moderation list: every review, newest first
    index('reviews_created_idx').on(t.createdAt),
  ],
);

export const wishlistItems = pgTable(
  'wishlist_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('wishlist_items_user_product_unique').on(t.userId, t.productId),
    index('wishlist_items_product_idx').on(t.productId),
  ],
);

export type CategoryRow = typeof categories.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type VariantRow = typeof productVariants.$inferSelect;
export type ImageRow = typeof productImages.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;
