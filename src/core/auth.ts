// JWT signing and verification (HS256 only, so `alg: none` and other algorithms are refused) and the
// request guards every module uses. Claim names follow djangorestframework-simplejwt for old clients.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { Forbidden, Unauthorized } from './errors.js';

export type TokenType = 'access' | 'refresh';

export interface AuthUser {
  id: string;
  isStaff: boolean;
  isSuperuser: boolean;
}

export interface TokenClaims {
  token_type: TokenType;
  user_id: string;
  jti: string;
  exp: number;
  iat: number;
  is_staff?: boolean;
  is_superuser?: boolean;
  /** Refresh-token family: every token rotated from one login shares it. */
  family?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook when a valid access token was sent. */
    user?: AuthUser;
  }
}

const keyCache = new Map<string, Uint8Array>();
function keyOf(secret: string): Uint8Array {
  let key = keyCache.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keyCache.set(secret, key);
  }
  return key;
}

export async function signToken(
  secret: string,
  claims: Omit<TokenClaims, 'jti' | 'exp' | 'iat'> & { jti?: string },
  ttlSeconds: number,
  now = new Date(),
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  const jti = claims.jti ?? randomUUID();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ ...claims, jti })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyOf(secret));
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

/** Verifies signature, algorithm, expiry and token type; throws Unauthorized with simplejwt's messages. */
export async function verifyToken(secret: string, token: string, expected: TokenType): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'] });
    const claims = payload as unknown as TokenClaims;
    if (claims.token_type !== expected || typeof claims.user_id !== 'string' || typeof claims.jti !== 'string') {
      throw new Unauthorized('Token has wrong type', 'token_not_valid');
    }
    return claims;
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('Token is expired', 'token_not_valid');
    throw new Unauthorized('Token is invalid or expired', 'token_not_valid');
  }
}

export function signAccessToken(secret: string, user: AuthUser, ttlSeconds: number, now?: Date) {
  return signToken(
    secret,
    { token_type: 'access', user_id: user.id, is_staff: user.isStaff, is_superuser: user.isSuperuser },
    ttlSeconds,
    now,
  );
}

/** A random, URL-safe secret for one-time links (verification, reset). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored only as this hash; a database leak gives no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** onRequest hook: reads a Bearer token if present. A present but invalid token is a 401, as in simplejwt. */
export function authenticate(secret: string) {
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new Unauthorized('Authorization header must contain two space-delimited values', 'bad_authorization_header');
    }
    const claims = await verifyToken(secret, token, 'access');
    request.user = { id: claims.user_id, isStaff: claims.is_staff === true, isSuperuser: claims.is_superuser === true };
  };
}

/** preHandler guard: any logged-in user. */
export async function requireUser(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  if (!request.user) throw new Unauthorized();
}

/** preHandler guard: staff or admin. */
export async function requireStaff(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  if (!request.user) throw new Unauthorized();
  if (!request.user.isStaff && !request.user.isSuperuser) throw new Forbidden();
}

/** preHandler guard: superuser only. */
export async function requireSuperuser(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  if (!request.user) throw new Unauthorized();
  if (!request.user.isSuperuser) throw new Forbidden();
}

/** The logged-in user of a request that passed requireUser. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new Unauthorized();
  return request.user;
}

export const isStaff = (user: AuthUser | undefined) => Boolean(user && (user.isStaff || user.isSuperuser));
