// All SQL of accounts for users, refresh tokens and one-time tokens. Every function takes a db or a transaction.
import { and, asc, count, desc, eq, gt, ilike, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { accountTokens, refreshTokens, type UserRow, users } from './accounts.tables.js';

export type TokenPurpose = 'verify_email' | 'password_reset';
export type NewUser = typeof users.$inferInsert;
export type UserChanges = Partial<
  Pick<NewUser, 'firstName' | 'lastName' | 'phone' | 'dateOfBirth' | 'avatar' | 'bio' | 'passwordHash' | 'isEmailVerified'>
>;

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

/** Locks the user row: serializes changes to one user's defaults, tokens and password. */
export async function lockUser(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).for('update');
  return row;
}

export async function insertUser(db: Db, values: NewUser): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  return row as UserRow;
}

export async function updateUser(db: Db, id: string, changes: UserChanges): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return row;
}

export async function touchLastLogin(db: Db, id: string, at: Date): Promise<void> {
  await db.update(users).set({ lastLogin: at }).where(eq(users.id, id));
}

export type UserOrdering = 'date_joined' | '-date_joined' | 'email' | '-email';

export interface UserListFilter {
  search?: string;
  isStaff?: boolean;
  isActive?: boolean;
  ordering?: UserOrdering;
}

const userOrderings: Record<UserOrdering, SQL[]> = {
  date_joined: [asc(users.dateJoined), asc(users.id)],
  '-date_joined': [desc(users.dateJoined), desc(users.id)],
  email: [asc(users.email)],
  '-email': [desc(users.email)],
};

export async function listUsers(
  db: Db,
  options: UserListFilter & { limit: number; offset: number },
): Promise<{ count: number; rows: UserRow[] }> {
  const pattern = options.search ? `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const where = and(
    pattern ? or(ilike(users.email, pattern), ilike(users.firstName, pattern), ilike(users.lastName, pattern)) : undefined,
    options.isStaff === undefined ? undefined : eq(users.isStaff, options.isStaff),
    options.isActive === undefined ? undefined : eq(users.isActive, options.isActive),
  );
  const [total] = await db.select({ n: count() }).from(users).where(where);
  const rows = await db
    .select()
    .from(users)
    .where(where)
    .orderBy(...userOrderings[options.ordering ?? '-date_joined'])
    .limit(options.limit)
    .offset(options.offset);
  return { count: Number(total?.n ?? 0), rows };
}

/** Staff changes to an account's access (activation, staff rights). */
export async function setUserAccess(
  db: Db,
  id: string,
  changes: { isActive?: boolean; isStaff?: boolean },
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return row;
}

// --- refresh tokens -------------------------------------------------------------------------------------------

export async function anyUserExists(db: Db): Promise<boolean> {
  return (await db.select({ id: users.id }).from(users).limit(1)).length > 0;
}

export async function existingEmails(db: Db, emails: string[]): Promise<string[]> {
  if (!emails.length) return [];
  const rows = await db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
  return rows.map((r) => r.email);
}

export async function activeStaffEmails(db: Db): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.isActive, true), or(eq(users.isStaff, true), eq(users.isSuperuser, true))));
  return rows.map((r) => r.email);
}

export async function insertRefreshToken(
  db: Db,
  values: { userId: string; jtiHash: string; family: string; expiresAt: Date },
): Promise<void> {
  await db.insert(refreshTokens).values(values);
}

/**
 * Marks a live refresh token used (rotation) in one conditional statement, so two concurrent refreshes with
 * the same token cannot both succeed. Returns the row only when this call consumed it.
 */
export async function consumeRefreshToken(db: Db, jtiHash: string, now: Date) {
  const [row] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.jtiHash, jtiHash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

export async function findRefreshToken(db: Db, jtiHash: string) {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.jtiHash, jtiHash));
  return row;
}

export async function revokeRefreshFamily(db: Db, family: string, now: Date): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.family, family), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}

/** Revokes every refresh token of a user; returns the sessions (families) that this ended. */
export async function revokeUserRefreshTokens(db: Db, userId: string, now: Date): Promise<string[]> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ family: refreshTokens.family });
  return [...new Set(rows.map((r) => r.family))];
}

/**
 * A session (refresh family) is live while one of its tokens is unrevoked: rotation only marks tokens used,
 * and every way of ending a session (logout, reuse, password, deactivation, demotion) revokes the whole family.
 */
export async function isSessionLive(db: Db, userId: string, family: string): Promise<boolean> {
  const rows = await db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.family, family), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .limit(1);
  return rows.length > 0;
}

// --- one-time tokens (email verification, password reset) ---------------------------------------------------------

export async function insertAccountToken(
  db: Db,
  values: { userId: string; purpose: TokenPurpose; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db.insert(accountTokens).values(values);
}

export async function findAccountToken(db: Db, purpose: TokenPurpose, tokenHash: string) {
  const [row] = await db
    .select()
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose)));
  return row;
}

/** Uses a live token once: the conditional update lets exactly one of two concurrent confirmations through. */
export async function consumeAccountToken(db: Db, purpose: TokenPurpose, tokenHash: string, now: Date) {
  const [row] = await db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(accountTokens.tokenHash, tokenHash),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

/** Retires a user's unused tokens of one purpose (a newer link or a completed reset makes older links void). */
export async function retireAccountTokens(db: Db, userId: string, purpose: TokenPurpose, now: Date): Promise<void> {
  await db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
}

/** Deletes expired one-time and refresh tokens (a day of grace keeps recent ones for "already used" answers). */
export async function deleteExpiredTokens(db: Db, before: Date): Promise<number> {
  const a = await db.delete(accountTokens).where(lte(accountTokens.expiresAt, before)).returning({ id: accountTokens.id });
  const r = await db.delete(refreshTokens).where(lte(refreshTokens.expiresAt, before)).returning({ id: refreshTokens.id });
  return a.length + r.length;
}
