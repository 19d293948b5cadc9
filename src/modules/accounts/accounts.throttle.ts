// Login throttling policy (docs/decisions.md, "Login throttling"): guessing is slowed per client and per
// account without handing a stranger the power to lock the owner out.
//  - per email + client IP (LOGIN_RATE_LIMIT, low): one client guessing one account; the owner elsewhere is
//    not affected. Reset when that client logs in.
//  - per client IP (LOGIN_IP_RATE_LIMIT): one client spraying many accounts.
//  - per email (LOGIN_EMAIL_RATE_LIMIT, much higher): many clients guessing one account. Clients that have
//    logged in to this account before (remembered 30 days) pass this ceiling, so a distributed attack slows
//    new clients down but still cannot lock the owner out of their usual devices.
// Counters go through the Cache interface (Redis shared across processes, in-process when Redis is absent).
import { hashToken } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { RateLimited } from '../../core/errors.js';
import { enforceRateLimits, type RateRule, resetRateLimits } from '../../core/rate-limit.js';

const KNOWN_CLIENT_TTL = 30 * 24 * 3600;

// keys hold hashes only, so the cache holds no emails or addresses
const pairId = (email: string, ip: string) => hashToken(`${email}\n${ip}`);

function rules(ctx: AppContext, email: string, ip: string) {
  const windowSeconds = ctx.config.rateLimitWindow;
  return {
    ip: { key: `rl:login:ip:${ip}`, limit: ctx.config.loginIpRateLimit, windowSeconds },
    pair: { key: `rl:login:pair:${pairId(email, ip)}`, limit: ctx.config.loginRateLimit, windowSeconds },
    email: { key: `rl:login:email:${hashToken(email)}`, limit: ctx.config.loginEmailRateLimit, windowSeconds },
  } satisfies Record<string, RateRule>;
}

const knownClientKey = (email: string, ip: string) => `login:known:${pairId(email, ip)}`;

/** Counts one login attempt (before the password is checked); throws 429 when a limit is used up. */
export async function throttleLoginAttempt(ctx: AppContext, email: string, ip: string): Promise<void> {
  const r = rules(ctx, email, ip);
  await enforceRateLimits(ctx.cache, [r.ip, r.pair]);
  const { count, ttl } = await ctx.cache.incr(r.email.key, r.email.windowSeconds);
  if (count > r.email.limit && !(await ctx.cache.get(knownClientKey(email, ip)))) throw new RateLimited(Math.max(ttl, 1));
}

/** After a correct password: this client's counter for the account starts again and the client is known. */
export async function recordLoginSuccess(ctx: AppContext, email: string, ip: string): Promise<void> {
  await resetRateLimits(ctx.cache, [rules(ctx, email, ip).pair.key]);
  await ctx.cache.set(knownClientKey(email, ip), '1', KNOWN_CLIENT_TTL);
}
