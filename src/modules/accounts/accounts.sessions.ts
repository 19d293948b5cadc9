// Whether an access token's session (its refresh-token family) is still live, answered on every authenticated
// request without a database query on the hot path: the answer is kept in the cache (Redis when configured,
// so every process sees an ended session at once) and the events that end sessions overwrite it right after
// they commit. The database stays the truth: a cache miss (or a cache that is down) asks it once.
import { setTimeout as delay } from 'node:timers/promises';
import type { AppContext } from '../../core/context.js';
import { isUuid } from '../../core/http.js';
import * as repo from './accounts.repo.js';

const LIVE = 'live';
const ENDED = 'ended';
/** How long a "live" answer is trusted without an event; bounds the damage of a lost invalidation. */
const LIVE_TTL_SECONDS = 60;
/** A late reader can write "live" just after an event wrote "ended"; writing "ended" again closes that gap. */
const REASSERT_AFTER_MS = 1500;

const keyOf = (sessionId: string) => `sess:${sessionId}`;

/** The SessionCheck the auth hook uses (see core/auth.ts). */
export function sessionChecker(ctx: AppContext) {
  return async (userId: string, sessionId: string): Promise<boolean> => {
    if (!isUuid(sessionId) || !isUuid(userId)) return false;
    const key = keyOf(sessionId);
    const cached = await ctx.cache.get(key).catch(() => undefined);
    if (cached === ENDED) return false;
    if (cached === `${LIVE}:${userId}`) return true;
    const live = await repo.isSessionLive(ctx.db, userId, sessionId);
    await ctx.cache
      .set(key, live ? `${LIVE}:${userId}` : ENDED, live ? LIVE_TTL_SECONDS : ctx.config.accessTokenTtl)
      .catch(() => {});
    return live;
  };
}

/**
 * Call right after the transaction that revoked these sessions committed: their access tokens are refused from
 * now on in every process. The marker lives as long as an access token can.
 */
export async function markSessionsEnded(ctx: AppContext, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  const write = () =>
    Promise.all(sessionIds.map((id) => ctx.cache.set(keyOf(id), ENDED, ctx.config.accessTokenTtl))).catch((err) =>
      ctx.log.warn({ err }, 'could not mark ended sessions in the cache; they end when their cache entry expires'),
    );
  await write();
  // not awaited: the reply need not wait for the second write
  void delay(REASSERT_AFTER_MS, undefined, { ref: false }).then(write);
}
