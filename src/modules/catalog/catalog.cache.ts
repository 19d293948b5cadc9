// Catalog read cache (Redis or in-process, whichever ctx.cache is). Keys embed version tokens that writes
// replace, so a read that raced a write can only fill a key nobody asks for any more:
//  - `catalog:gen`       any catalog write: list pages and the category tree are keyed by it;
//  - `catalog:catgen`    category writes: product details embed their category, so details key by it too;
//  - `catalog:pv:<slug>` writes to one product (detail pages).
// Version keys outlive the entries keyed by them (TTL + 60 s), so an expired version never revives a stale entry.
// With Redis, each API process also keeps a near cache (core/near-cache.ts): the tokens and rendered responses
// in its own memory, told of every bump over pub/sub, so a hot read makes no round trip at all.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { createNearCache, type NearCache, type NearEntry, publishBump } from '../../core/near-cache.js';
import { noteCatalogWrite } from '../../core/replica.js';

const GEN = 'catalog:gen';
const CATGEN = 'catalog:catgen';
const productVersionKey = (slug: string) => `catalog:pv:${slug}`;
/** Every bump is published here, after its keys are set. */
const BUMPS = 'catalog:bumps';
/** A near entry lives at most this long (or CACHE_TTL): the bound on a lost publish. */
const NEAR_TTL_MS = 10_000;

const nearCaches = new WeakMap<Cache, NearCache>();

/**
 * The API process's near cache (made by the catalog routes; a worker only publishes). None on the embedded
 * cache, which is in process already, or with NEAR_CACHE_BYTES=0.
 */
export function catalogNearCache(ctx: AppContext): NearCache | undefined {
  if (ctx.cache.kind !== 'redis' || !ctx.cache.subscribe || ctx.config.nearCacheBytes === 0) return undefined;
  let near = nearCaches.get(ctx.cache);
  if (!near) {
    const ttlMs = Math.min(NEAR_TTL_MS, ctx.config.cacheTtl * 1000);
    near = createNearCache(ctx.cache, { channel: BUMPS, maxBytes: ctx.config.nearCacheBytes, ttlMs });
    nearCaches.set(ctx.cache, near);
  }
  return near;
}

async function version(ctx: AppContext, key: string): Promise<string> {
  const near = nearCaches.get(ctx.cache);
  return near ? near.version(key) : ((await ctx.cache.get(key)) ?? '0');
}

async function bump(ctx: AppContext, keys: string[]): Promise<void> {
  const ttl = ctx.config.cacheTtl + 60;
  const values = Object.fromEntries(keys.map((key) => [key, randomUUID().slice(0, 8)]));
  await Promise.all(keys.map((key) => ctx.cache.set(key, values[key] as string, ttl)));
  nearCaches.get(ctx.cache)?.learn(values);
  await publishBump(ctx.cache, BUMPS, values);
}

const watched = new WeakSet<object>();

/**
 * When Redis comes back after an outage (or after a failed write), the invalidations made meanwhile were
 * lost: bump both generations before the cache is trusted again, so no entry written before can be served.
 * Idempotent per cache (the API and the worker wire it from routes and jobs).
 */
export function watchCatalogCacheRecovery(ctx: AppContext): void {
  if (watched.has(ctx.cache)) return;
  watched.add(ctx.cache);
  ctx.cache.onRecover(async (raw) => {
    const ttl = ctx.config.cacheTtl + 60;
    const values = { [GEN]: randomUUID().slice(0, 8), [CATGEN]: randomUUID().slice(0, 8) };
    for (const [key, value] of Object.entries(values)) await raw.set(key, value, ttl);
    nearCaches.get(ctx.cache)?.reset();
    await publishBump(raw, BUMPS, values);
  });
}

export interface CatalogChange {
  /** Slugs of products whose detail changed (old and new slug after a rename). */
  slugs?: string[];
  /** A category changed: every detail embeds its category, so all details go. */
  categories?: boolean;
}

/** Call after commit of any catalog write. Cache failures are logged, never thrown: the write already happened. */
export async function invalidateCatalog(ctx: AppContext, change: CatalogChange = {}): Promise<void> {
  const keys = [GEN, ...(change.categories ? [CATGEN] : []), ...(change.slugs ?? []).map(productVersionKey)];
  await noteCatalogWrite(ctx); // before the generations move (core/replica.ts)
  try {
    await bump(ctx, keys);
  } catch (error) {
    ctx.log.error({ err: error }, 'catalog cache invalidation failed');
  }
}

/** Digests of recent canonical queries: hashing every request's query cost ~3% of a near-cache hit's CPU. */
const digests = new LRUCache<string, string>({
  max: 10_000,
  memoMethod: (canonical) => createHash('sha1').update(canonical).digest('base64url'),
});

export async function listCacheKey(ctx: AppContext, scope: string, query: Record<string, unknown>): Promise<string> {
  const gen = await version(ctx, GEN);
  const canonical = Object.keys(query)
    .filter((k) => query[k] !== undefined && query[k] !== '')
    .sort()
    .map((k) => `${k}=${String(query[k])}`)
    .join('&');
  return `catalog:${scope}:${gen}:${digests.memo(canonical)}`;
}

/**
 * The exact total of a public product filter, shared by every page and ordering of that filter (DRF's `count`
 * is the same on page 1 and page 4,000). Keyed by the catalog generation like the pages themselves, so a
 * catalog write starts a new count; a cache failure just counts again.
 */
export async function cachedCount(ctx: AppContext, filter: Record<string, unknown>, count: () => Promise<number>) {
  let key: string | undefined;
  try {
    key = await listCacheKey(ctx, 'count', { f: JSON.stringify(filter) });
    const hit = await ctx.cache.get(key);
    if (hit !== undefined) return Number(hit);
  } catch (error) {
    ctx.log.warn({ err: error }, 'catalog count cache read failed');
  }
  const total = await count();
  if (key) await ctx.cache.set(key, String(total), ctx.config.cacheTtl).catch(() => {});
  return total;
}

export async function treeCacheKey(ctx: AppContext): Promise<string> {
  return `catalog:tree:${await version(ctx, GEN)}`;
}

export async function detailCacheKey(ctx: AppContext, slug: string): Promise<string> {
  const [pv, catgen] = await Promise.all([version(ctx, productVersionKey(slug)), version(ctx, CATGEN)]);
  return `catalog:p:${slug}:${pv}:${catgen}`;
}

/**
 * Concurrent misses of one key in this process share one build (no stampede after an invalidation). The
 * key embeds the route's query, so requests sharing a build would have produced the same body.
 */
const building = new Map<string, Promise<NearEntry>>();

function buildOnce(key: string | undefined, build: () => Promise<NearEntry>) {
  if (!key) return build();
  let pending = building.get(key);
  if (!pending) {
    pending = build().finally(() => building.delete(key));
    building.set(key, pending);
  }
  return pending;
}

const etagOf = (json: string) => `W/"${createHash('sha1').update(json).digest('base64url')}"`;

function matches(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim() === etag || tag.trim() === etag.slice(2));
}

/** The entry from Redis (stored as `etag\nbody`, so no hashing on a hit), else built, serialized and stored. */
async function readOrBuild(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string | undefined,
  produce: () => Promise<unknown>,
): Promise<NearEntry> {
  let cached: string | undefined;
  try {
    cached = key ? await ctx.cache.get(key) : undefined;
  } catch (error) {
    request.log.warn({ err: error }, 'catalog cache read failed');
  }
  if (cached !== undefined) {
    const cut = cached.indexOf('\n');
    return { etag: cached.slice(0, cut), body: Buffer.from(cached.slice(cut + 1)) };
  }
  return buildOnce(key, async () => {
    const text = String(reply.serialize(await produce()));
    const etag = etagOf(text);
    if (key) await ctx.cache.set(key, `${etag}\n${text}`, ctx.config.cacheTtl).catch(() => {});
    return { etag, body: Buffer.from(text) };
  });
}

/**
 * Sends a JSON response from the near cache, Redis, or builds it with `produce`, serializes it with the route's
 * response schema and caches the text. Sets `ETag`; answers 304 when `If-None-Match` matches. `key` undefined
 * skips caching.
 */
export async function sendCached(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string | undefined,
  produce: () => Promise<unknown>,
): Promise<FastifyReply> {
  const near = key ? nearCaches.get(ctx.cache) : undefined;
  let entry = key ? near?.get(key) : undefined;
  if (entry) ctx.metrics.cacheRead('near');
  else {
    entry = await readOrBuild(ctx, request, reply, key, produce);
    if (key) near?.set(key, entry);
  }
  reply.header('etag', entry.etag).header('cache-control', 'no-cache');
  if (matches(request, entry.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(entry.body);
}
