// JWT sessions: login issues an access + refresh pair; refresh rotates (the old one is used up); presenting a
// used or revoked refresh token revokes its whole family (every token rotated from the same login).
import { randomUUID } from 'node:crypto';
import { type AuthUser, hashToken, signAccessToken, signToken, verifyToken } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { Forbidden, Unauthorized } from '../../core/errors.js';
import * as repo from './accounts.repo.js';
import { markSessionsEnded } from './accounts.sessions.js';
import type { UserRow } from './accounts.tables.js';

export interface TokenPairResult {
  access: string;
  refresh: string;
}

type SessionUser = Pick<UserRow, 'id' | 'isStaff' | 'isSuperuser'>;
const authUserOf = (user: SessionUser, sessionId: string): AuthUser & { sessionId: string } => ({
  id: user.id,
  isStaff: user.isStaff,
  isSuperuser: user.isSuperuser,
  sessionId,
});

/** Signs a refresh token of `family` and records its hashed jti (pass the transaction of the change). */
async function issueRefresh(ctx: AppContext, db: Db, userId: string, family: string): Promise<string> {
  const { token, jti, expiresAt } = await signToken(
    ctx.config.secretKey,
    { token_type: 'refresh', user_id: userId, family },
    ctx.config.refreshTokenTtl,
    ctx.now(),
  );
  await repo.insertRefreshToken(db, { userId, jtiHash: hashToken(jti), family, expiresAt });
  return token;
}

/** An access token of session `family`; the auth hook refuses it once that session ends. */
async function issueAccess(ctx: AppContext, user: SessionUser, family: string): Promise<string> {
  const { token } = await signAccessToken(ctx.config.secretKey, authUserOf(user, family), ctx.config.accessTokenTtl, ctx.now());
  return token;
}

/** A new session (new refresh family) for a user whose credentials were just checked. */
export async function startSession(ctx: AppContext, db: Db, user: SessionUser): Promise<TokenPairResult> {
  const family = randomUUID();
  const refresh = await issueRefresh(ctx, db, user.id, family);
  return { access: await issueAccess(ctx, user, family), refresh };
}

const invalidToken = () => new Unauthorized('Token is invalid or expired', 'token_not_valid');

/**
 * Rotates a refresh token: the presented one is used up and a new one of the same family is returned with a
 * fresh access token (whose staff flags are read again from the database). A token that was already used or
 * revoked is a sign of theft: its whole family is revoked and the call is refused.
 */
export async function refreshSession(ctx: AppContext, refreshToken: string): Promise<TokenPairResult> {
  const claims = await verifyToken(ctx.config.secretKey, refreshToken, 'refresh');
  const jtiHash = hashToken(claims.jti);
  const now = ctx.now();
  const result = await ctx.db.transaction(async (tx) => {
    const consumed = await repo.consumeRefreshToken(tx, jtiHash, now);
    if (!consumed) return undefined;
    const user = await repo.findUserById(tx, consumed.userId);
    if (!user?.isActive) return undefined;
    const refresh = await issueRefresh(ctx, tx, user.id, consumed.family);
    return { access: await issueAccess(ctx, user, consumed.family), refresh };
  });
  if (result) return result;

  // Refused: if the token was real but already used or revoked, end every session that descends from its login.
  const row = await repo.findRefreshToken(ctx.db, jtiHash);
  if (row && (row.usedAt || row.revokedAt)) {
    const revoked = await repo.revokeRefreshFamily(ctx.db, row.family, now);
    await markSessionsEnded(ctx, [row.family]);
    if (revoked > 0) ctx.log.warn({ userId: row.userId, family: row.family }, 'refresh token reuse: family revoked');
    throw new Unauthorized('Token is blacklisted', 'token_not_valid');
  }
  throw invalidToken();
}

/**
 * Logout: ends the session of the presented refresh token (its whole family, so the access tokens issued in
 * that session are refused at once too). Idempotent; another user's token is refused.
 */
export async function endSession(ctx: AppContext, userId: string, refreshToken: string): Promise<void> {
  const claims = await verifyToken(ctx.config.secretKey, refreshToken, 'refresh');
  if (claims.user_id !== userId) throw new Forbidden('This refresh token belongs to another user.', 'token_not_owned');
  const row = await repo.findRefreshToken(ctx.db, hashToken(claims.jti));
  // a token signed by us but never recorded (or already cleaned up) has no session left to end
  if (!row) return;
  await repo.revokeRefreshFamily(ctx.db, row.family, ctx.now());
  await markSessionsEnded(ctx, [row.family]);
}

/**
 * Ends every session of a user (password reset or change, deactivation, loss of staff rights); pass the
 * transaction of the change and hand the result to `markSessionsEnded` after it commits.
 */
export function revokeAllSessions(db: Db, userId: string, now: Date): Promise<string[]> {
  return repo.revokeUserRefreshTokens(db, userId, now);
}

export { invalidToken };
