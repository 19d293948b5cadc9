// Accounts business rules: registration, login, email verification, password reset and change, profile.
// Other modules use the exports marked "for other modules" (getUserSummary, address lookups).

import { hashToken } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { BadRequest, fieldError, isUniqueViolation, Unauthorized, ValidationFailed } from '../../core/errors.js';
import { enqueueJob } from '../../core/jobs.js';
import { enforceRateLimits, type RateRule } from '../../core/rate-limit.js';
import { passwordResetEmailJob, verificationEmailJob, welcomeEmailJob } from './accounts.jobs.js';
import { hashPassword, needsRehash, verifyPassword } from './accounts.passwords.js';
import * as repo from './accounts.repo.js';
import type { ProfilePatchBody } from './accounts.schemas.js';
import { markSessionsEnded } from './accounts.sessions.js';
import type { UserRow } from './accounts.tables.js';
import { recordLoginSuccess, throttleLoginAttempt } from './accounts.throttle.js';
import { revokeAllSessions, startSession, type TokenPairResult } from './accounts.tokens.js';
import { passwordProblems } from './password-rules.js';

export { sessionChecker } from './accounts.sessions.js';
export { getUserForStaff, listUsersForStaff, updateUserAccess } from './accounts.staff.js';
export { type AddressSnapshot, getAddressForUser } from './addresses.service.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const EMAIL_TAKEN = 'user with this email address already exists.';

export interface NewAccount {
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isEmailVerified?: boolean;
}

/**
 * Creates a user and, in the same transaction, the job that mails the verification link: either both exist
 * or neither. `skipPasswordRules` is for createsuperuser's explicit bypass only.
 */
export async function registerUser(ctx: AppContext, input: NewAccount, options: { skipPasswordRules?: boolean } = {}) {
  const email = normalizeEmail(input.email);
  const firstName = input.firstName?.trim() ?? '';
  const lastName = input.lastName?.trim() ?? '';
  const errors: Record<string, string[]> = {};
  const problems = options.skipPasswordRules ? [] : passwordProblems(input.password, { email, firstName, lastName });
  if (problems.length) errors.password = problems;
  if (await repo.findUserByEmail(ctx.db, email)) errors.email = [EMAIL_TAKEN];
  if (Object.keys(errors).length) throw new ValidationFailed(errors);

  const passwordHash = await hashPassword(input.password);
  let user: UserRow;
  try {
    user = await ctx.db.transaction(async (tx) => {
      const created = await repo.insertUser(tx, {
        email,
        passwordHash,
        firstName,
        lastName,
        isStaff: input.isStaff ?? false,
        isSuperuser: input.isSuperuser ?? false,
        isEmailVerified: input.isEmailVerified ?? false,
      });
      if (!created.isEmailVerified) await enqueueJob(tx, verificationEmailJob, { userId: created.id });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationFailed({ email: [EMAIL_TAKEN] });
    throw error;
  }
  ctx.jobs.wake();
  return user;
}

/** Per-IP and per-email rules of one action (the email is hashed so keys hold no personal data). */
function limitRules(
  ctx: AppContext,
  action: string,
  limits: { ip: number; email: number },
  ip: string,
  email: string,
): RateRule[] {
  const windowSeconds = ctx.config.rateLimitWindow;
  return [
    { key: `rl:${action}:ip:${ip}`, limit: limits.ip, windowSeconds },
    { key: `rl:${action}:email:${hashToken(email)}`, limit: limits.email, windowSeconds },
  ];
}

const resetLimits = (ctx: AppContext) => ({ ip: ctx.config.passwordResetRateLimit, email: ctx.config.passwordResetRateLimit });

// Unknown emails still pay for one argon2 verification, so response time does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

/**
 * Work another module does right after a successful login, with the login's guest cart token (the route's
 * X-Cart-Token header). Cart registers the guest-cart merge at wiring time (src/modules/index.ts): accounts sits
 * below cart and must not import it. A hook that fails is logged and does not fail the login.
 */
export type LoginHook = (ctx: AppContext, login: { userId: string; cartToken?: string }) => Promise<void>;
const afterLogin: LoginHook[] = [];

export function onLogin(hook: LoginHook): void {
  if (!afterLogin.includes(hook)) afterLogin.push(hook);
}

export const loginHooks = (): readonly LoginHook[] => afterLogin;

/** Checks credentials under the login throttling policy (accounts.throttle.ts). */
export async function login(
  ctx: AppContext,
  input: { email: string; password: string; ip: string },
): Promise<TokenPairResult & { user: UserRow }> {
  const email = normalizeEmail(input.email);
  await throttleLoginAttempt(ctx, email, input.ip);
  const user = await repo.findUserByEmail(ctx.db, email);
  dummyHash ??= hashPassword('not-a-real-password');
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), input.password);
  if (!user || !ok || !user.isActive) {
    throw new Unauthorized('No active account found with the given credentials', 'no_active_account');
  }
  await recordLoginSuccess(ctx, email, input.ip);
  const now = ctx.now();
  // an imported Django hash (or older argon2 parameters) becomes our argon2id now that we know the password
  const upgradedHash = needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined;
  const tokens = await ctx.db.transaction(async (tx) => {
    if (upgradedHash) await repo.updateUser(tx, user.id, { passwordHash: upgradedHash });
    await repo.touchLastLogin(tx, user.id, now);
    return startSession(ctx, tx, user);
  });
  return { ...tokens, user };
}

async function tokenRefusal(ctx: AppContext, purpose: repo.TokenPurpose, tokenHash: string, now: Date) {
  const row = await repo.findAccountToken(ctx.db, purpose, tokenHash);
  if (row?.usedAt) return fieldError('token', 'This link has already been used.', 'token_used');
  if (row && row.expiresAt <= now) return fieldError('token', 'This link has expired.', 'token_expired');
  return fieldError('token', 'Invalid token.', 'invalid_token');
}

/** Uses a verification token once; the first verification also enqueues the welcome email (in the same tx). */
export async function verifyEmail(ctx: AppContext, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  const now = ctx.now();
  const verified = await ctx.db.transaction(async (tx) => {
    const row = await repo.consumeAccountToken(tx, 'verify_email', tokenHash, now);
    if (!row) return false;
    const user = await repo.lockUser(tx, row.userId);
    // throwing rolls the consumption back: a deactivated account's link is refused, not used up
    if (!user?.isActive) throw fieldError('token', 'Invalid token.', 'invalid_token');
    if (!user.isEmailVerified) {
      await repo.updateUser(tx, user.id, { isEmailVerified: true });
      await enqueueJob(tx, welcomeEmailJob, { userId: user.id }, { dedupeKey: `accounts.welcome:${user.id}` });
    }
    await repo.retireAccountTokens(tx, user.id, 'verify_email', now);
    return true;
  });
  if (!verified) throw await tokenRefusal(ctx, 'verify_email', tokenHash, now);
  ctx.jobs.wake();
}

export async function resendVerification(ctx: AppContext, userId: string, ip: string): Promise<void> {
  const user = await repo.findUserById(ctx.db, userId);
  if (!user?.isActive) throw new Unauthorized('User not found', 'user_not_found');
  if (user.isEmailVerified) throw new BadRequest('Email is already verified.', 'already_verified');
  await enforceRateLimits(ctx.cache, limitRules(ctx, 'resend', resetLimits(ctx), ip, user.email));
  await enqueueJob(ctx.db, verificationEmailJob, { userId });
  ctx.jobs.wake();
}

/** Enqueues a reset email when the email belongs to an active user; callers answer the same either way. */
export async function requestPasswordReset(ctx: AppContext, input: { email: string; ip: string }): Promise<void> {
  const email = normalizeEmail(input.email);
  await enforceRateLimits(ctx.cache, limitRules(ctx, 'password_reset', resetLimits(ctx), input.ip, email));
  const user = await repo.findUserByEmail(ctx.db, email);
  if (!user?.isActive) return;
  await enqueueJob(ctx.db, passwordResetEmailJob, { userId: user.id });
  ctx.jobs.wake();
}

/** Sets a new password from a reset token (used once) and ends every session of the user. */
export async function confirmPasswordReset(ctx: AppContext, token: string, newPassword: string): Promise<void> {
  const tokenHash = hashToken(token);
  const now = ctx.now();
  const row = await repo.findAccountToken(ctx.db, 'password_reset', tokenHash);
  const user = row && !row.usedAt && row.expiresAt > now ? await repo.findUserById(ctx.db, row.userId) : undefined;
  if (!user?.isActive) throw await tokenRefusal(ctx, 'password_reset', tokenHash, now);
  const problems = passwordProblems(newPassword, user);
  if (problems.length) throw new ValidationFailed({ new_password: problems });
  const passwordHash = await hashPassword(newPassword);
  const ended = await ctx.db.transaction(async (tx) => {
    if (!(await repo.consumeAccountToken(tx, 'password_reset', tokenHash, now))) return undefined;
    await repo.updateUser(tx, user.id, { passwordHash });
    const sessions = await revokeAllSessions(tx, user.id, now);
    await repo.retireAccountTokens(tx, user.id, 'password_reset', now);
    return sessions;
  });
  if (!ended) throw await tokenRefusal(ctx, 'password_reset', tokenHash, now);
  await markSessionsEnded(ctx, ended);
}

/** Changes the password, ends every other session and returns a fresh token pair for the caller. */
export async function changePassword(
  ctx: AppContext,
  userId: string,
  input: { oldPassword: string; newPassword: string },
): Promise<TokenPairResult> {
  const user = await repo.findUserById(ctx.db, userId);
  if (!user?.isActive) throw new Unauthorized('User not found', 'user_not_found');
  if (!(await verifyPassword(user.passwordHash, input.oldPassword))) {
    throw fieldError('old_password', 'Your old password was entered incorrectly. Please enter it again.', 'password_incorrect');
  }
  const problems = passwordProblems(input.newPassword, user);
  if (problems.length) throw new ValidationFailed({ new_password: problems });
  const passwordHash = await hashPassword(input.newPassword);
  const now = ctx.now();
  const { ended, tokens } = await ctx.db.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { passwordHash });
    const ended = await revokeAllSessions(tx, user.id, now);
    return { ended, tokens: await startSession(ctx, tx, user) };
  });
  await markSessionsEnded(ctx, ended);
  return tokens;
}

export async function getProfile(ctx: AppContext, userId: string): Promise<UserRow> {
  const user = await repo.findUserById(ctx.db, userId);
  if (!user?.isActive) throw new Unauthorized('User not found', 'user_not_found');
  return user;
}

export async function updateProfile(ctx: AppContext, userId: string, patch: ProfilePatchBody): Promise<UserRow> {
  if (patch.date_of_birth && patch.date_of_birth >= ctx.now().toISOString().slice(0, 10)) {
    throw fieldError('date_of_birth', 'Date of birth must be in the past.');
  }
  const user = await repo.updateUser(ctx.db, userId, {
    firstName: patch.first_name?.trim(),
    lastName: patch.last_name?.trim(),
    phone: patch.phone?.trim(),
    dateOfBirth: patch.date_of_birth,
    avatar: patch.avatar?.trim(),
    bio: patch.bio,
  });
  if (!user?.isActive) throw new Unauthorized('User not found', 'user_not_found');
  return user;
}

/** For other modules (order emails, admin views): who a user is, or undefined. */
/** For other modules: where staff alerts go (active staff and admins). */
/** For the server's start-up: an empty database gets the demo data (embedded, outside production). */
export function hasAnyUser(db: Db): Promise<boolean> {
  return repo.anyUserExists(db);
}

/** Which of these emails have an account (the start-up banner lists the demo accounts present). */
export function existingEmails(db: Db, emails: string[]): Promise<string[]> {
  return repo.existingEmails(db, emails);
}

export function listStaffEmails(db: Db): Promise<string[]> {
  return repo.activeStaffEmails(db);
}

export async function getUserSummary(db: Db, userId: string) {
  const user = await repo.findUserById(db, userId);
  return user && { id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, isActive: user.isActive };
}
