// One small cache interface with two stores: Redis (REDIS_URL, shared by every process) or an in-process
// LRU (embedded default). Values are strings; callers serialize. Rate limits count through `incr`.
// The Redis cache never throws: behind a circuit breaker, a Redis outage turns reads into misses (callers
// fall through to PostgreSQL), skips writes, and counts `incr` in process memory. Because invalidations
// made while Redis was away were lost, entries are trusted again only after the `onRecover` hooks (the
// catalog bumps its generations) ran against Redis.
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createSubscriptions } from './cache-subscriptions.js';
import { type Breaker, type BreakerState, createBreaker } from './resilience.js';

export interface CacheObserver {
  log?: Logger;
  /** hit | miss | bypass (Redis skipped: breaker open or entries untrusted) */
  onRead?: (result: 'hit' | 'miss' | 'bypass') => void;
  onBreaker?: (state: BreakerState) => void;
}

export interface Cache {
  kind: 'redis' | 'memory';
  /** The Redis client behind a Redis cache, for libraries that take one (@fastify/rate-limit). */
  redis?: Redis;
  get(key: string): Promise<string | undefined>;
  /** Like `get`, but undefined when the store did not answer (breaker open, entries untrusted, a failure). */
  read(key: string): Promise<{ value: string | undefined } | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Atomically adds one to a counter; the first increment starts its TTL. Returns the count and seconds left. */
  incr(key: string, ttlSeconds: number): Promise<{ count: number; ttl: number }>;
  /**
   * Adds `by` to each counter in one round trip (the first addition starts its TTL); returns each count and the
   * milliseconds left, or undefined when Redis was skipped or failed (the caller keeps its counts to add later).
   */
  addCounts(counts: CountDelta[]): Promise<Array<{ count: number; ttlMs: number }> | undefined>;
  /**
   * Publishes `message` on `channel` (prefixed like keys). The memory store has a single process and drops it.
   * A failed publish counts as a lost write: entries are untrusted until the `onRecover` hooks ran.
   */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Listens on `channel` over a connection of its own (Redis only). `onLive(true)` once subscribed,
   * `onLive(false)` on any disconnect or error: messages may have been missed until the next `onLive(true)`.
   */
  subscribe?(channel: string, onMessage: (message: string) => void, onLive: (live: boolean) => void): void;
  /** False while a lost write's `onRecover` hooks have not run yet: entries (and versions) must not be trusted. */
  readonly trusted: boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Runs `hook` with the raw store each time Redis comes back, before its entries are trusted again. */
  onRecover(hook: (raw: Cache) => Promise<void>): void;
  /** Wires logging and metrics (the cache may be built before the logger, e.g. by tests). */
  observe(observer: CacheObserver): void;
  /** Waits up to `ms` for the first connection; false if it did not come (start-up report). */
  waitConnected(ms: number): Promise<boolean>;
  /** closed | open | half_open; always closed for the memory store. */
  readonly breakerState: BreakerState;
  /**
   * The clock the in-process store measures TTLs with (the app wires `ctx.now`, so tests move through expiries
   * by moving that clock). Redis keeps its own clock for its keys; this reaches only its in-process fallback.
   */
  followClock?(now: () => Date): void;
}

export interface CountDelta {
  key: string;
  by: number;
  ttlMs: number;
}

export async function getJson<T>(cache: Cache, key: string): Promise<T | undefined> {
  const raw = await cache.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

export function setJson(cache: Cache, key: string, value: unknown, ttlSeconds: number): Promise<void> {
  return cache.set(key, JSON.stringify(value), ttlSeconds);
}

/** Bytes an entry holds in the memory cache: its key and value as V8 keeps them (up to 2 bytes a character). */
const entryBytes = (value: string, key: string) => 2 * (key.length + value.length) + 64;

/**
 * The in-process store, capped by bytes (`maxBytes`, MEMORY_CACHE_BYTES): rendered catalog pages differ in
 * size by orders of magnitude, so a cap in entries bounds nothing. Counters (rate limits) are capped apart.
 */
export function createMemoryCache({ maxBytes = 32 * 1024 * 1024, maxCounters = 10_000 } = {}): Cache {
  const max = maxCounters;
  let clock: () => Date = () => new Date(); // until followClock wires the app's ctx.now
  const store = new LRUCache<string, string>({
    maxSize: maxBytes,
    sizeCalculation: entryBytes,
    ttlAutopurge: false,
    ttlResolution: 0, // ask the clock on every read: it may jump (tests)
    perf: { now: () => clock().getTime() },
  });
  const counters = new Map<string, { count: number; expiresAt: number }>();
  function add(key: string, by: number, ttlMs: number) {
    const now = clock().getTime();
    let entry = counters.get(key);
    if (!entry || entry.expiresAt <= now) {
      if (counters.size > max) for (const [k, v] of counters) if (v.expiresAt <= now) counters.delete(k);
      entry = { count: 0, expiresAt: now + ttlMs };
      counters.set(key, entry);
    }
    entry.count += by;
    return { count: entry.count, ttlMs: entry.expiresAt - now };
  }
  return {
    kind: 'memory',
    async get(key) {
      return store.get(key);
    },
    async read(key) {
      return { value: store.get(key) };
    },
    async set(key, value, ttlSeconds) {
      store.set(key, value, { ttl: ttlSeconds * 1000 });
    },
    async del(...keys) {
      for (const key of keys) {
        store.delete(key);
        counters.delete(key);
      }
    },
    async incr(key, ttlSeconds) {
      const { count, ttlMs } = add(key, 1, ttlSeconds * 1000);
      return { count, ttl: Math.ceil(ttlMs / 1000) };
    },
    async addCounts(deltas) {
      return deltas.map(({ key, by, ttlMs }) => add(key, by, ttlMs));
    },
    async publish() {},
    trusted: true,
    async ping() {},
    async close() {
      store.clear();
      counters.clear();
    },
    onRecover() {},
    observe() {},
    waitConnected: async () => true,
    breakerState: 'closed',
    followClock(now) {
      clock = now;
    },
  };
}

const INCR_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** KEYS: counters; ARGV: (by, ttl ms) per key. Returns (count, ms left) per key. */
const ADD_COUNTS_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, ARGV[2 * i - 1])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then ttl = tonumber(ARGV[2 * i]); redis.call('PEXPIRE', key, ttl) end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out`;

export interface RedisCacheOptions {
  /** Per-command timeout, so a black-holed connection fails fast instead of hanging requests. */
  commandTimeoutMs?: number;
  /** How long the breaker stays open before one trial command. */
  breakerOpenMs?: number;
  /** Consecutive failures that open the breaker. */
  breakerFailures?: number;
}

function createRawRedisCache(redis: Redis): Cache {
  const raw: Cache = {
    kind: 'redis',
    redis,
    async get(key) {
      return (await redis.get(key)) ?? undefined;
    },
    async read(key) {
      return { value: (await redis.get(key)) ?? undefined };
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async del(...keys) {
      if (keys.length) await redis.del(...keys);
    },
    async incr(key, ttlSeconds) {
      const [count, ttl] = (await redis.eval(INCR_SCRIPT, 1, key, Math.max(1, Math.ceil(ttlSeconds)))) as [number, number];
      return { count, ttl };
    },
    async addCounts(deltas) {
      if (!deltas.length) return [];
      const args = deltas.flatMap(({ by, ttlMs }) => [by, Math.max(1, Math.ceil(ttlMs))]);
      const flat = (await redis.eval(ADD_COUNTS_SCRIPT, deltas.length, ...deltas.map((d) => d.key), ...args)) as number[];
      return deltas.map((_, i) => ({ count: Number(flat[2 * i]), ttlMs: Number(flat[2 * i + 1]) }));
    },
    async publish(channel, message) {
      // channels are not keys: ioredis does not prefix them, so they carry the key prefix by hand
      await redis.publish(`${redis.options.keyPrefix ?? ''}${channel}`, message);
    },
    trusted: true,
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
    onRecover() {},
    observe() {},
    async waitConnected(ms) {
      if (redis.status === 'ready') return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    breakerState: 'closed',
  };
  return raw;
}

/** `prefix` namespaces every key (tests give each file its own). */
export function createRedisCache(url: string, prefix = 'emp:', options: RedisCacheOptions = {}): Cache {
  const redis = new Redis(url, {
    keyPrefix: prefix,
    // fail at once while disconnected (the breaker answers instead); never queue requests behind an outage
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000) + Math.floor(Math.random() * 100),
  });
  redis.on('error', () => {}); // the breaker reports outages, once per state change
  const raw = createRawRedisCache(redis);
  // commands fail fast while disconnected, but the very first ones may wait (briefly) for the first connection
  let starting: Promise<boolean> | undefined = raw.waitConnected(2000).finally(() => {
    starting = undefined;
  });
  const local = createMemoryCache();
  const subscriptions = createSubscriptions(redis);
  const recoverHooks: Array<(raw: Cache) => Promise<void>> = [];
  let observer: CacheObserver = {};
  /** Some write or invalidation may have been lost: read nothing from Redis until the hooks ran. */
  let untrusted = false;
  let recovering: Promise<void> | undefined;

  const breaker: Breaker = createBreaker({
    failureThreshold: options.breakerFailures ?? 3,
    openMs: options.breakerOpenMs ?? 2000,
    onStateChange(state, previous, error) {
      observer.onBreaker?.(state);
      if (state === 'open' && previous === 'closed')
        observer.log?.warn(
          { variable: 'REDIS_URL', err: error instanceof Error ? error.message : String(error) },
          'Redis unavailable: cache reads fall through to the database, rate limits count per process',
        );
      if (state === 'closed') {
        observer.log?.info({ variable: 'REDIS_URL' }, 'Redis is back; cache in use again');
        // a process that only writes (the worker) must also replay its lost invalidations
        if (untrusted) void trusted();
      }
    },
  });

  /** One call through the breaker; `undefined` when Redis was skipped or failed. */
  async function guarded<T>(run: () => Promise<T>, write: boolean): Promise<{ ok: true; value: T } | { ok: false }> {
    if (starting) await starting;
    if (!breaker.allow()) {
      if (write) untrusted = true;
      return { ok: false };
    }
    try {
      const value = await run();
      breaker.success();
      return { ok: true, value };
    } catch (error) {
      if (write) untrusted = true;
      breaker.failure(error);
      return { ok: false };
    }
  }

  /** True when cached entries may be served: no write was lost, or the recovery hooks have run since. */
  async function trusted(): Promise<boolean> {
    if (!untrusted) return true;
    if (breaker.state === 'open') return false;
    recovering ??= (async () => {
      try {
        for (const hook of recoverHooks) await hook(raw);
        untrusted = false;
        observer.log?.info('cache entries trusted again (invalidation generations bumped)');
      } catch (error) {
        breaker.failure(error);
      } finally {
        recovering = undefined;
      }
    })();
    await recovering;
    return !untrusted;
  }

  /** A read from Redis; undefined when it was skipped (entries untrusted, breaker open) or failed. */
  async function readRedis(key: string): Promise<{ value: string | undefined } | undefined> {
    if (!(await trusted())) return undefined;
    const result = await guarded(() => raw.get(key), false);
    return result.ok ? { value: result.value } : undefined;
  }

  return {
    kind: 'redis',
    redis,
    async get(key) {
      const read = await readRedis(key);
      observer.onRead?.(!read ? 'bypass' : read.value === undefined ? 'miss' : 'hit');
      return read?.value;
    },
    read: readRedis,
    async set(key, value, ttlSeconds) {
      await guarded(() => raw.set(key, value, ttlSeconds), true);
    },
    async del(...keys) {
      await guarded(() => raw.del(...keys), true);
    },
    async incr(key, ttlSeconds) {
      const result = await guarded(() => raw.incr(key, ttlSeconds), false);
      return result.ok ? result.value : local.incr(key, ttlSeconds);
    },
    async addCounts(deltas) {
      const result = await guarded(() => raw.addCounts(deltas), false);
      return result.ok ? result.value : undefined;
    },
    async publish(channel, message) {
      await guarded(() => raw.publish(channel, message), true);
    },
    subscribe: (channel, onMessage, onLive) => subscriptions.add(channel, onMessage, onLive),
    get trusted() {
      return !untrusted;
    },
    ping: () => raw.ping(),
    async close() {
      await subscriptions.close();
      await raw.close();
    },
    onRecover(hook) {
      recoverHooks.push(hook);
    },
    observe(next) {
      observer = next;
    },
    waitConnected: (ms) => raw.waitConnected(ms),
    get breakerState() {
      return breaker.state;
    },
    followClock(now) {
      local.followClock?.(now);
    },
  };
}
