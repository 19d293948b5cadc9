// Redis pub/sub for the cache (core/cache.ts): one dedicated subscriber connection per cache, made on the first
// `subscribe`, with an honest live/not-live signal (a subscriber that was away may have missed messages).
import type { Redis } from 'ioredis';

const HEARTBEAT_MS = 5000;

type Listener = { onMessage: (message: string) => void; onLive: (live: boolean) => void };

/**
 * Pub/sub over one dedicated connection, made on the first `subscribe`. Listeners hear `onLive(false)` on any
 * disconnect or error (messages may be lost from then on) and `onLive(true)` once subscribed again.
 */
export function createSubscriptions(redis: Redis) {
  const prefix = redis.options.keyPrefix ?? '';
  const listeners = new Map<string, Listener[]>();
  let sub: Redis | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let live = false;
  const tell = (next: boolean) => {
    if (next === live) return;
    live = next;
    for (const list of listeners.values()) for (const listener of list) listener.onLive(next);
  };
  function connect(): Redis {
    const client = redis.duplicate({ autoResubscribe: false });
    client.on('error', () => tell(false));
    for (const event of ['close', 'end', 'reconnecting']) client.on(event, () => tell(false));
    client.on('ready', () => {
      client.subscribe(...[...listeners.keys()].map((channel) => `${prefix}${channel}`)).then(
        () => tell(true),
        () => client.disconnect(true), // not subscribed: reconnect and try again
      );
    });
    client.on('message', (channel: string, message: string) => {
      if (!live) return;
      for (const listener of listeners.get(channel.slice(prefix.length)) ?? []) listener.onMessage(message);
    });
    // a subscriber only listens, so a silently dead connection (no reset, e.g. a dropped network path) would look
    // live forever: a PING every few seconds, under the command timeout, turns it into a reconnect
    heartbeat = setInterval(() => {
      if (client.status === 'ready') client.ping().catch(() => client.disconnect(true));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return client;
  }
  return {
    add(channel: string, onMessage: Listener['onMessage'], onLive: Listener['onLive']) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), { onMessage, onLive }]);
      sub ??= connect();
      // already subscribed to other channels: tell this listener once this channel is added too
      if (sub.status === 'ready' && live)
        sub.subscribe(`${prefix}${channel}`).then(
          () => onLive(true),
          () => sub?.disconnect(true),
        );
    },
    async close() {
      clearInterval(heartbeat);
      const client = sub;
      sub = undefined;
      tell(false);
      listeners.clear();
      if (client) await client.quit().catch(() => client.disconnect());
    },
  };
}
