// JWT signing and verification (HS256 only, so `alg: none` and other algorithms are refused) and the
// request guards every module uses. Claim names follow djangorestframework-simplejwt for old clients.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { Forbidden, Unauthorized } from './errors.js';

export type TokenType = 'access' | 'refresh';

export interface AuthUser {
  id: string;
  isStaff: boolean;
  isSuperuser: boolean;
  /** The session (refresh-token family) an access token belongs to; logout ends exactly this one. */
  sessionId?: string;
}

/** Answers whether an access token's session is still live (wired by the app from the accounts module). */
export type SessionCheck = (userId: string, sessionId: string) => Promise<boolean>;

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
  /** Access tokens: the refresh family (session) they were issued for. */
  sid?: string;
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
    // a token without `exp` would never expire: refused like any other invalid token
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], requiredClaims: ['exp'] });
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

export function signAccessToken(secret: string, user: AuthUser & { sessionId: string }, ttlSeconds: number, now?: Date) {
  return signToken(
    secret,
    {
      token_type: 'access',
      user_id: user.id,
      is_staff: user.isStaff,
      is_superuser: user.isSuperuser,
      sid: user.sessionId,
    },
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

const sessionEnded = () => new Unauthorized('Token is invalid or expired', 'token_not_valid');

/**
 * onRequest hook: reads a Bearer token if present. A present but invalid token is a 401, as in simplejwt; so is
 * a token whose session ended (logout, password change or reset, deactivation, loss of staff rights), which
 * `sessionLive` answers from a short-lived cache entry, not the database, on the hot path.
 */
export function authenticate(secret: string, sessionLive: SessionCheck) {
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new Unauthorized('Authorization header must contain two space-delimited values', 'bad_authorization_header');
    }
    const claims = await verifyToken(secret, token, 'access');
    if (typeof claims.sid !== 'string' || !(await sessionLive(claims.user_id, claims.sid))) throw sessionEnded();
    request.user = {
      id: claims.user_id,
      isStaff: claims.is_staff === true,
      isSuperuser: claims.is_superuser === true,
      sessionId: claims.sid,
    };
  };
}

/** The role a route requires; the OpenAPI operation carries it as `x-permission`. */
export type Role = 'user' | 'staff' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role this route requires, checked before the body is parsed or validated. */
    auth?: Role;
  }
}

/** Route guard: any logged-in user. */
export async function requireUser(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  if (!request.user) throw new Unauthorized();
}

/** Route guard: staff or admin. */
export async function requireStaff(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
  if (!request.user) throw new Unauthorized();
  if (!request.user.isStaff && !request.user.isSuperuser) throw new Forbidden();
}

/** Route guard: superuser only. */
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

type Guard = (request: FastifyRequest, reply?: FastifyReply) => Promise<void>;
const guards: Record<Role, Guard> = { user: requireUser, staff: requireStaff, admin: requireSuperuser };
const roleOfGuard = new Map<unknown, Role>(Object.entries(guards).map(([role, guard]) => [guard, role as Role]));
const rank: Record<Role, number> = { user: 1, staff: 2, admin: 3 };
const listOf = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * onRoute hook: authentication and permissions come before the body, on every route, as in DRF (401/403
 * first, then 400). A route declares its role in `config.auth` or keeps the usual `preHandler: requireStaff`;
 * either way the guard is moved to the route's onRequest hooks, which run after the app-wide token hook and
 * before body parsing and schema validation. The role is written into the OpenAPI operation (`x-permission`).
 */
export function guardBeforeValidation(route: RouteOptions): void {
  const preHandlers = listOf(route.preHandler);
  const roles = preHandlers.flatMap((hook) => roleOfGuard.get(hook) ?? []);
  const configured = (route.config as { auth?: Role } | undefined)?.auth;
  if (configured) roles.push(configured);
  if (roles.length === 0) return;
  const role = roles.reduce((a, b) => (rank[b] > rank[a] ? b : a));
  route.preHandler = preHandlers.filter((hook) => !roleOfGuard.has(hook));
  route.onRequest = [...listOf(route.onRequest), guards[role] as onRequestHookHandler];
  if (route.schema) (route.schema as Record<string, unknown>)['x-permission'] = role;
}
