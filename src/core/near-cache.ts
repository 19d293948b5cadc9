// A process-local copy of rendered responses in front of the Redis cache, so a hot read costs no network
// round trip. Entries are keyed like the Redis ones, by version tokens (e.g. `catalog:gen`) that every write
// replaces; this process knows those tokens locally only while it is subscribed to the channel on which
// every bump is published (after the keys are set). So:
//  - a write in this process updates its tokens at once (a write then a read here is never stale);
//  - another process learns of it when the message arrives (the pub/sub delivery latency, ~1 ms);
//  - while the subscriber is not connected and subscribed, or the cache's breaker is not closed, or a lost
//    write's recovery has not run (`cache.trusted`), tokens are read from Redis on every use and no entry is
//    served from here; any disconnect drops every local token and entry (messages may have been missed).
// Entries are capped by bytes and live a few seconds at most (a lost publish is bounded by that too).
import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.js';

export interface NearEntry {
  etag: string;
  /** The response body, encoded once. */
  body: Buffer;
}

export interface NearCache {
  /** Tokens known locally and entries servable: subscribed, breaker closed, no lost write pending. */
  readonly usable: boolean;
  /** The token stored at `key`, '0' when there is none. Zero round trips while usable and known. */
  version(key: string): Promise<string>;
  /** This process set these tokens in the cache (a bump, before publishing it): knows them here at once. */
  learn(values: Record<string, string>): void;
  get(key: string): NearEntry | undefined;
  /** Keeps an entry (only while usable; an entry under an old token is harmless: no key names it any more). */
  set(key: string, entry: NearEntry): void;
  /** Forgets every token and entry (after a Redis outage the tokens were bumped). */
  reset(): void;
  readonly stats: { entries: number; bytes: number };
}

export interface NearCacheOptions {
  /** The pub/sub channel bumps are published on (prefixed like keys). */
  channel: string;
  maxBytes: number;
  ttlMs: number;
}

/** Publishes a bump to the processes keeping tokens locally; call after the keys were set. */
export function publishBump(cache: Cache, channel: string, values: Record<string, string>): Promise<void> {
  return cache.publish(channel, JSON.stringify(values));
}

/** Bytes of version tokens kept locally (~30,000 product tokens). */
const TOKEN_BYTES = 4 * 1024 * 1024;

export function createNearCache(cache: Cache, options: NearCacheOptions): NearCache {
  // one token per product seen (`catalog:pv:<slug>`) adds up over a large catalog: capped too; a token
  // dropped here is simply read from Redis again
  const tokens = new LRUCache<string, string>({
    maxSize: TOKEN_BYTES,
    sizeCalculation: (value, key) => 2 * (key.length + value.length) + 64,
  });
  const entries = new LRUCache<string, NearEntry>({
    maxSize: Math.max(1, options.maxBytes),
    sizeCalculation: (entry, key) => entry.body.length + entry.etag.length + key.length + 64,
    ttl: Math.max(1, options.ttlMs),
    ttlAutopurge: false,
  });
  let live = false;
  /** Moves on every message and reset: a token read that started before must not be kept. */
  let generation = 0;
  const usable = () => live && cache.trusted && cache.breakerState === 'closed' && options.maxBytes > 0;
  const reset = () => {
    generation++;
    tokens.clear();
    entries.clear();
  };

  cache.subscribe?.(
    options.channel,
    (message) => {
      generation++;
      let values: Record<string, string>;
      try {
        values = JSON.parse(message) as Record<string, string>;
      } catch {
        return reset();
      }
      // a token that differs from the bumped value is re-read from Redis (concurrent bumps may arrive in any order)
      for (const [key, value] of Object.entries(values)) if (tokens.get(key) !== value) tokens.delete(key);
    },
    (next) => {
      live = next;
      reset();
    },
  );

  return {
    get usable() {
      return usable();
    },
    async version(key) {
      const known = usable() ? tokens.get(key) : undefined;
      if (known !== undefined) return known;
      const seen = generation;
      const read = await cache.read(key);
      const value = read?.value ?? '0';
      if (read && seen === generation && usable()) tokens.set(key, value);
      return value;
    },
    learn(values) {
      generation++;
      if (usable()) for (const [key, value] of Object.entries(values)) tokens.set(key, value);
    },
    get(key) {
      return usable() ? entries.get(key) : undefined;
    },
    set(key, entry) {
      if (usable()) entries.set(key, entry);
    },
    reset,
    get stats() {
      return { entries: entries.size, bytes: entries.calculatedSize };
    },
  };
}
