// All SQL of the address book. Every function takes a db or a transaction.
import { and, count, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { type AddressRow, addresses } from './accounts.tables.js';

export type AddressValues = Omit<typeof addresses.$inferInsert, 'id' | 'userId' | 'createdAt' | 'updatedAt'>;

export async function listAddresses(db: Db, userId: string, limit: number, offset: number) {
  const [total] = await db.select({ n: count() }).from(addresses).where(eq(addresses.userId, userId));
  const rows = await db
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    // defaults first, then newest: what an address picker wants
    .orderBy(desc(addresses.isDefaultShipping), desc(addresses.isDefaultBilling), desc(addresses.createdAt), desc(addresses.id))
    .limit(limit)
    .offset(offset);
  return { count: Number(total?.n ?? 0), rows };
}

export async function findAddress(db: Db, userId: string, id: string): Promise<AddressRow | undefined> {
  const [row] = await db
    .select()
    .from(addresses)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)));
  return row;
}

export async function insertAddress(db: Db, userId: string, values: AddressValues): Promise<AddressRow> {
  const [row] = await db
    .insert(addresses)
    .values({ ...values, userId })
    .returning();
  return row as AddressRow;
}

export async function updateAddress(db: Db, userId: string, id: string, values: Partial<AddressValues>) {
  const [row] = await db
    .update(addresses)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning();
  return row;
}

export async function deleteAddress(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(addresses)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning({ id: addresses.id });
  return rows.length > 0;
}

/** Unsets the user's current default of one kind (except `keepId`), before another address takes it. */
export async function clearDefault(db: Db, userId: string, kind: 'shipping' | 'billing', keepId?: string): Promise<void> {
  const column = kind === 'shipping' ? addresses.isDefaultShipping : addresses.isDefaultBilling;
  const set = kind === 'shipping' ? { isDefaultShipping: false } : { isDefaultBilling: false };
  await db
    .update(addresses)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(addresses.userId, userId), eq(column, true), keepId ? ne(addresses.id, keepId) : undefined));
}

export async function findDefaultAddress(db: Db, userId: string, kind: 'shipping' | 'billing') {
  const column = kind === 'shipping' ? addresses.isDefaultShipping : addresses.isDefaultBilling;
  const [row] = await db
    .select()
    .from(addresses)
    .where(and(eq(addresses.userId, userId), eq(column, true)));
  return row;
}
