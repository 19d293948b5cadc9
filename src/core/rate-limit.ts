// Fixed-window rate limiting through the cache interface, so limits hold across processes when Redis is used.
// Login and password-reset throttles count exactly (one Redis call per attempt); the global API limit counts
// locally and adds its counts to Redis in batches (`createBatchedCounter`), so a request waits for no round trip.
import { LRUCache } from 'lru-cache';
import { hashToken } from './auth.js';
import type { Cache, CountDelta } from './cache.js';
import { RateLimited } from './errors.js';

export interface RateRule {
  /** Cache key, e.g. `rl:login:ip:1.2.3.4`. */
  key: string;
  limit: number;
  windowSeconds: number;
}

/** Counts one hit against every rule and throws RateLimited (429 with Retry-After) if any is exceeded. */
export async function enforceRateLimits(cache: Cache, rules: RateRule[]): Promise<void> {
  let retryAfter = 0;
  for (const rule of rules) {
    const { count, ttl } = await cache.incr(rule.key, rule.windowSeconds);
    if (count > rule.limit) retryAfter = Math.max(retryAfter, ttl, 1);
  }
  if (retryAfter > 0) throw new RateLimited(retryAfter);
}

/** Forgets the counters of these keys (e.g. after a successful login). */
export async function resetRateLimits(cache: Cache, keys: string[]): Promise<void> {
  await cache.del(...keys);
}

const clientKeys = new LRUCache<string, string>({ max: 10_000, memoMethod: (ip) => hashToken(ip).slice(0, 32) });

/**
 * The rate-limit key of a client address: a hash, never the address itself (no personal data in the cache).
 * Remembered for recent addresses: a SHA-256 per request was ~2% of a cached read's CPU.
 */
export const clientKey = (ip: string): string => clientKeys.memo(ip);

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A store for @fastify/rate-limit that counts through `Cache.incr`: in Redis when it is up (limits hold
 * across processes), in process memory while the cache's breaker is open. The plugin's own Redis store
 * fails every request when Redis is down (the 500s this replaces).
 */
export function cacheRateLimitStore(cache: Cache, nameSpace: string) {
  return class CacheRateLimitStore {
    incr(key: string, callback: StoreCallback, timeWindowMs: number) {
      cache.incr(`${nameSpace}${key}`, Math.max(1, Math.ceil(timeWindowMs / 1000))).then(
        ({ count, ttl }) => callback(null, { current: count, ttl: ttl * 1000 }),
        (error: Error) => callback(error),
      );
    }
    child() {
      return new CacheRateLimitStore();
    }
  };
}

interface Window {
  /** The count Redis last reported (every process's hits, ours included up to the last sync). */
  global: number;
  /** Our hits not yet added to Redis. */
  pending: number;
  /** Hits being added right now (counted until Redis answers). */
  sending: number;
  resetAt: number;
  windowMs: number;
  /** The first hit of a window, counted exactly in Redis: later hits wait for it. */
  starting?: Promise<void>;
}

export interface BatchedCounter {
  /** Counts one hit; returns the count across processes as known here (≤ one sync interval behind) and ms left. */
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Adds every pending count to the cache now (tests). */
  flush(): Promise<void>;
  /** No more syncs (the app closes; counts of the last interval are dropped with the process). */
  stop(): void;
}

/**
 * Fixed windows counted in this process and added to the cache every `syncMs` (one EVAL for every key touched,
 * reading back each key's total). The first hit of a window is counted exactly (one round trip per client per
 * window per process), so a process learns of other processes' hits before it decides alone; after that each
 * decision is local: the last total Redis reported plus our hits since. Across N processes a window can admit
 * at most what the other processes admit in one sync interval beyond the limit. While Redis is down the counts
 * stay here (per process, the cache's own fallback) and are added once it answers again.
 */
export function createBatchedCounter(cache: Cache, syncMs: number): BatchedCounter {
  const windows = new Map<string, Window>();
  let timer: NodeJS.Timeout | undefined;
  let syncing: Promise<void> | undefined;
  let stopped = false;

  const schedule = () => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, syncMs);
    timer.unref();
  };

  async function sync(): Promise<void> {
    const now = Date.now();
    const batch: Array<{ window: Window; delta: CountDelta }> = [];
    for (const [key, window] of windows) {
      if (window.resetAt <= now) windows.delete(key);
      else if (window.pending > 0 && !window.starting)
        batch.push({ window, delta: { key, by: window.pending, ttlMs: window.resetAt - now } });
    }
    if (!batch.length) return;
    for (const { window, delta } of batch) {
      window.pending -= delta.by;
      window.sending += delta.by;
    }
    const counts = await cache.addCounts(batch.map((b) => b.delta)).catch(() => undefined);
    const at = Date.now();
    batch.forEach(({ window, delta }, i) => {
      window.sending -= delta.by;
      const result = counts?.[i];
      if (!result)
        window.pending += delta.by; // not added: try again next time
      else {
        window.global = result.count;
        window.resetAt = at + result.ttlMs;
      }
    });
    if (!counts) schedule();
  }

  function flush(): Promise<void> {
    syncing ??= sync().finally(() => {
      syncing = undefined;
      if ([...windows.values()].some((w) => w.pending > 0)) schedule();
    });
    return syncing;
  }

  function start(key: string, windowMs: number): Window {
    // windows are dropped at each sync once over; many clients that each came once would never trigger one
    if (windows.size >= 100_000) for (const [k, w] of windows) if (w.resetAt <= Date.now() && !w.pending) windows.delete(k);
    const window: Window = { global: 0, pending: 0, sending: 0, resetAt: Date.now() + windowMs, windowMs };
    window.starting = cache
      .incr(key, Math.max(1, Math.ceil(windowMs / 1000)))
      .then(
        ({ count, ttl }) => {
          window.global = count;
          window.resetAt = Date.now() + ttl * 1000;
        },
        () => {
          window.global = 1;
        },
      )
      .finally(() => {
        window.starting = undefined;
      });
    windows.set(key, window);
    return window;
  }

  return {
    async hit(key, windowMs) {
      let window = windows.get(key);
      if (!window || window.resetAt <= Date.now()) {
        window = start(key, windowMs);
        await window.starting;
      } else {
        if (window.starting) await window.starting;
        window.pending++;
        schedule();
      }
      return { count: window.global + window.sending + window.pending, ttlMs: Math.max(0, window.resetAt - Date.now()) };
    },
    flush,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A store for @fastify/rate-limit over a `BatchedCounter` (Redis caches; the memory cache counts in process anyway). */
export function batchedRateLimitStore(counter: BatchedCounter, nameSpace: string) {
  return class BatchedRateLimitStore {
    incr(key: string, callback: StoreCallback, timeWindowMs: number) {
      counter.hit(`${nameSpace}${key}`, timeWindowMs).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    child() {
      return new BatchedRateLimitStore();
    }
  };
}
