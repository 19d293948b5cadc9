// One small cache interface with two stores: Redis (REDIS_URL, shared by every process) or an in-process
// LRU (embedded default). Values are strings; callers serialize. Rate limits count through `incr`.
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface Cache {
  kind: 'redis' | 'memory';
  /** The Redis client behind a Redis cache, for libraries that take one (@fastify/rate-limit). */
  redis?: Redis;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Atomically adds one to a counter; the first increment starts its TTL. Returns the count and seconds left. */
  incr(key: string, ttlSeconds: number): Promise<{ count: number; ttl: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function getJson<T>(cache: Cache, key: string): Promise<T | undefined> {
  const raw = await cache.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

export function setJson(cache: Cache, key: string, value: unknown, ttlSeconds: number): Promise<void> {
  return cache.set(key, JSON.stringify(value), ttlSeconds);
}

export function createMemoryCache(max = 10_000): Cache {
  const store = new LRUCache<string, string>({ max, ttlAutopurge: false });
  const counters = new Map<string, { count: number; expiresAt: number }>();
  return {
    kind: 'memory',
    async get(key) {
      return store.get(key);
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
      const now = Date.now();
      let entry = counters.get(key);
      if (!entry || entry.expiresAt <= now) {
        if (counters.size > max) for (const [k, v] of counters) if (v.expiresAt <= now) counters.delete(k);
        entry = { count: 0, expiresAt: now + ttlSeconds * 1000 };
        counters.set(key, entry);
      }
      entry.count++;
      return { count: entry.count, ttl: Math.ceil((entry.expiresAt - now) / 1000) };
    },
    async ping() {},
    async close() {
      store.clear();
      counters.clear();
    },
  };
}

const INCR_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** `prefix` namespaces every key (tests give each file its own). */
export function createRedisCache(url: string, prefix = 'emp:'): Cache {
  const redis = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  redis.on('error', () => {}); // surfaced by ping() in /ready/ and by the failing call
  return {
    kind: 'redis',
    redis,
    async get(key) {
      return (await redis.get(key)) ?? undefined;
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
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
