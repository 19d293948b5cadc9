import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../accounts/accounts.tables.js';
import { productVariants } from '../catalog/catalog.tables.js';

/**
 * A user's cart (one per user) or a guest cart (found by the hash of its token; the token itself is never
 * stored). `updated_at` moves on every change, so abandoned guest carts can be expired.
 */
export const carts = pgTable(
  'carts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash'),
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('carts_user_key').on(t.userId).where(sql`${t.userId} is not null`),
    uniqueIndex('carts_token_hash_key').on(t.tokenHash).where(sql`${t.tokenHash} is not null`),
    check('carts_owner_check', sql`(${t.userId} is null) <> (${t.tokenHash} is null)`),
    index('carts_guest_updated_idx').on(t.updatedAt).where(sql`${t.userId} is null`),
  ],
);

/** One line per variant; `unit_price` is the price seen when the line was added (minor units). */
export const cartItems = pgTable(
  'cart_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cartId: uuid('cart_id')
      .notNull()
      .references(() => carts.id, { onDelete: 'cascade' }),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('cart_items_cart_variant_key').on(t.cartId, t.variantId),
    check('cart_items_quantity_check', sql`${t.quantity} > 0`),
    check('cart_items_unit_price_check', sql`${t.unitPrice} >= 0`),
  ],
);

export type CartRow = typeof carts.$inferSelect;
export type CartItemRow = typeof cartItems.$inferSelect;
