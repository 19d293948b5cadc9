// The demo accounts the README names. Existing accounts are left untouched.
import type { AppContext } from '../../core/context.js';
import { hashPassword } from './accounts.passwords.js';
import { users } from './accounts.tables.js';

export const DEMO_USERS = [
  {
    email: 'admin@emporium.local',
    password: 'admin-demo-pass',
    firstName: 'Ada',
    lastName: 'Admin',
    isStaff: true,
    isSuperuser: true,
  },
  {
    email: 'staff@emporium.local',
    password: 'staff-demo-pass',
    firstName: 'Sam',
    lastName: 'Staff',
    isStaff: true,
    isSuperuser: false,
  },
  {
    email: 'customer@emporium.local',
    password: 'customer-demo-pass',
    firstName: 'Casey',
    lastName: 'Customer',
    isStaff: false,
    isSuperuser: false,
  },
] as const;

export async function seedDemoUsers(ctx: AppContext): Promise<void> {
  for (const { password, ...user } of DEMO_USERS) {
    await ctx.db
      .insert(users)
      .values({ ...user, passwordHash: await hashPassword(password), isEmailVerified: true })
      .onConflictDoNothing();
  }
}
