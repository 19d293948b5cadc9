// All SQL for carts and cart items. Every function takes the db or transaction first.
import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { type CartItemRow, type CartRow, cartItems, carts } from './cart.tables.js';

export async function findCartByTokenHash(db: Db, tokenHash: string, lock = false): Promise<CartRow | undefined> {
  const query = db.select().from(carts).where(eq(carts.tokenHash, tokenHash));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function findUserCart(db: Db, userId: string, lock = false): Promise<CartRow | undefined> {
  const query = db.select().from(carts).where(eq(carts.userId, userId));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** The user's one cart, created on first use (concurrent first uses agree on one row). */
export async function getOrCreateUserCart(db: Db, userId: string, currency: string): Promise<CartRow> {
  await db
    .insert(carts)
    .values({ userId, currency })
    .onConflictDoNothing({ target: carts.userId, where: sql`${carts.userId} is not null` });
  return (await findUserCart(db, userId)) as CartRow;
}

/** The user's cart, created or touched (updated_at = now()) in ONE statement: the add-to-cart path. */
export async function touchUserCart(db: Db, userId: string, currency: string): Promise<CartRow> {
  const [row] = await db
    .insert(carts)
    .values({ userId, currency })
    .onConflictDoUpdate({
      target: carts.userId,
      targetWhere: sql`${carts.userId} is not null`,
      set: { updatedAt: sql`now()` },
    })
    .returning();
  return row as CartRow;
}

export async function insertGuestCart(db: Db, tokenHash: string, currency: string): Promise<CartRow> {
  const [row] = await db.insert(carts).values({ tokenHash, currency }).returning();
  return row as CartRow;
}

export async function touchCart(db: Db, cartId: string): Promise<void> {
  await db.update(carts).set({ updatedAt: sql`now()` }).where(eq(carts.id, cartId));
}

export async function deleteCart(db: Db, cartId: string): Promise<void> {
  await db.delete(carts).where(eq(carts.id, cartId));
}

export async function itemsOfCart(db: Db, cartId: string): Promise<CartItemRow[]> {
  return db.select().from(cartItems).where(eq(cartItems.cartId, cartId)).orderBy(asc(cartItems.createdAt), asc(cartItems.id));
}

export async function findCartItem(db: Db, cartId: string, itemId: string): Promise<CartItemRow | undefined> {
  const [row] = await db
    .select()
    .from(cartItems)
    .where(and(eq(cartItems.id, itemId), eq(cartItems.cartId, cartId)));
  return row;
}

/**
 * Adds `quantity` to the variant's line (creating it), refreshing the price snapshot to what the shopper saw
 * now. Returns the line's new quantity; one statement, so concurrent adds never lose an update.
 */
export async function addToLine(
  db: Db,
  line: { cartId: string; variantId: string; quantity: number; unitPrice: number },
): Promise<CartItemRow> {
  const [row] = await db
    .insert(cartItems)
    .values(line)
    .onConflictDoUpdate({
      target: [cartItems.cartId, cartItems.variantId],
      set: {
        quantity: sql`${cartItems.quantity} + excluded.quantity`,
        unitPrice: sql`excluded.unit_price`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row as CartItemRow;
}

/** Sets a line's quantity outright (merge), keeping an existing snapshot. */
export async function setLineQuantity(
  db: Db,
  line: { cartId: string; variantId: string; quantity: number; unitPrice: number },
): Promise<void> {
  await db
    .insert(cartItems)
    .values(line)
    .onConflictDoUpdate({
      target: [cartItems.cartId, cartItems.variantId],
      set: { quantity: sql`excluded.quantity`, updatedAt: sql`now()` },
    });
}

export async function updateItemQuantity(db: Db, itemId: string, quantity: number): Promise<void> {
  await db.update(cartItems).set({ quantity, updatedAt: sql`now()` }).where(eq(cartItems.id, itemId));
}

export async function deleteItem(db: Db, itemId: string): Promise<void> {
  await db.delete(cartItems).where(eq(cartItems.id, itemId));
}

/**
 * The user's cart row locked FOR UPDATE with its items, in ONE statement (checkout): one row per item, or a
 * single row with null item columns for an empty cart; no rows when the user has no cart.
 */
export async function lockUserCartWithItems(db: Db, userId: string) {
  return db
    .select({
      cartId: carts.id,
      variantId: cartItems.variantId,
      quantity: cartItems.quantity,
      unitPrice: cartItems.unitPrice,
    })
    .from(carts)
    .leftJoin(cartItems, eq(cartItems.cartId, carts.id))
    .where(eq(carts.userId, userId))
    .orderBy(asc(cartItems.createdAt), asc(cartItems.id))
    .for('update', { of: carts });
}

/** Deletes every item and touches the cart, in one statement (checkout). */
export async function emptyCartItems(db: Db, cartId: string): Promise<void> {
  await db.execute(
    sql`WITH gone AS (DELETE FROM cart_items WHERE cart_id = ${cartId}) UPDATE carts SET updated_at = now() WHERE id = ${cartId}`,
  );
}

export async function deleteAllItems(db: Db, cartId: string): Promise<void> {
  await db.delete(cartItems).where(eq(cartItems.cartId, cartId));
}

/** Deletes guest carts untouched since `before` (their items go with them). */
export async function deleteGuestCartsBefore(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(carts)
    .where(and(isNull(carts.userId), lt(carts.updatedAt, before)))
    .returning({ id: carts.id });
  return rows.length;
}
