// Row factories for users; tests make exactly the rows they need.
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/core/module.js';
import { hashPassword } from '../../src/modules/accounts/accounts.passwords.js';
import { type AddressRow, addresses, type UserRow, users } from '../../src/modules/accounts/accounts.tables.js';
import { startSession } from '../../src/modules/accounts/accounts.tokens.js';

export const DEFAULT_PASSWORD = 'correct-horse-battery';
let cachedHash: Promise<string> | undefined;

export async function makeUser(
  app: App,
  overrides: Partial<typeof users.$inferInsert> & { password?: string } = {},
): Promise<UserRow> {
  const { password, ...rest } = overrides;
  if (!cachedHash) cachedHash = hashPassword(DEFAULT_PASSWORD);
  const passwordHash = password ? await hashPassword(password) : await cachedHash;
  const [row] = await app.ctx.db
    .insert(users)
    .values({
      email: `user-${randomUUID().slice(0, 8)}@example.com`,
      firstName: 'Test',
      lastName: 'User',
      isEmailVerified: true,
      ...rest,
      passwordHash,
    })
    .returning();
  return row as UserRow;
}

export const makeStaff = (app: App, overrides: Partial<typeof users.$inferInsert> = {}) =>
  makeUser(app, { isStaff: true, ...overrides });

/** `Authorization` header with a fresh access token for this user, in a new session of its own (as a login). */
export async function authHeader(app: App, user: Pick<UserRow, 'id' | 'isStaff' | 'isSuperuser'>) {
  const { access } = await startSession(app.ctx, app.ctx.db, user);
  return { authorization: `Bearer ${access}` };
}

/** Logs in over HTTP and returns `{access, refresh, user}` (fails the test on a non-200). */
export async function login(app: App, email: string, password = DEFAULT_PASSWORD, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email, password }, headers });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json() as { access: string; refresh: string; user: { id: string; email: string } };
}

/** An address row for `userId` with sensible defaults. */
export async function makeAddress(app: App, userId: string, overrides: Partial<typeof addresses.$inferInsert> = {}) {
  const [row] = await app.ctx.db
    .insert(addresses)
    .values({
      userId,
      fullName: 'Test User',
      line1: '1 Main Street',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
      ...overrides,
    })
    .returning();
  return row as AddressRow;
}
