// Live delivery of user events (new notifications, order status changes) as Server-Sent Events. One LISTEN
// per API process fans committed events out to that process's open streams, so any number of replicas each
// serve their own clients. A client that reconnects with Last-Event-ID is first sent what it missed.
import { PassThrough } from 'node:stream';
import type { AppContext } from '../../core/context.js';
import { type ChannelListener, listenChannel } from '../../core/listen.js';
import * as repo from './notifications.repo.js';
import type { UserEventRow } from './notifications.tables.js';

const REPLAY_LIMIT = 500;

interface Subscriber {
  deliver(event: UserEventRow): void;
  /** After a LISTEN reconnect: fetch whatever committed while nobody was listening. */
  catchUp(): void;
}

export interface EventHub {
  subscribe(userId: string, subscriber: Subscriber): Promise<() => void>;
  close(): Promise<void>;
}

export function createEventHub(ctx: AppContext, options: { url?: string; retryMs?: number } = {}): EventHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  let listener: Promise<ChannelListener> | undefined;

  // Lookups run one after another, so events reach a stream in the order PostgreSQL notified them (id order
  // within a transaction): concurrent lookups could finish out of order, and a client resuming from the last id
  // it saw would then get an earlier one again.
  let delivering: Promise<void> = Promise.resolve();
  const onPayload = (payload: string) => {
    const [idText, userId] = payload.split(':');
    const subs = userId ? subscribers.get(userId) : undefined;
    if (!subs?.size) return;
    delivering = delivering
      .then(() => repo.findUserEvent(ctx.db, userId!, Number(idText)))
      .then((event) => {
        if (event) for (const sub of subs) sub.deliver(event);
      })
      .catch((error) => ctx.log.error({ err: error }, 'live event lookup failed'));
  };
  const onReconnect = () => {
    for (const subs of subscribers.values()) for (const sub of subs) sub.catchUp();
  };

  return {
    async subscribe(userId, subscriber) {
      listener ??= listenChannel({
        database: ctx.database,
        url: options.url,
        retryMs: options.retryMs,
        channel: repo.USER_EVENTS_CHANNEL,
        log: ctx.log,
        onPayload,
        onReconnect,
      });
      await listener;
      const subs = subscribers.get(userId) ?? new Set<Subscriber>();
      subscribers.set(userId, subs);
      subs.add(subscriber);
      return () => {
        subs.delete(subscriber);
        if (!subs.size) subscribers.delete(userId);
      };
    },
    async close() {
      subscribers.clear();
      const current = listener;
      listener = undefined;
      if (current) await (await current).close();
    },
  };
}

const frame = (event: UserEventRow) => `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;

/**
 * Opens one client's stream: subscribes first (so nothing committed meanwhile is lost), replays the events
 * after `lastEventId`, then sends live ones, each event once. Heartbeat comments keep proxies and clients from
 * timing the connection out. `stop()` (client gone, or shutdown) ends it and frees everything.
 */
export async function openUserStream(
  ctx: AppContext,
  hub: EventHub,
  userId: string,
  lastEventId: number | undefined,
): Promise<{ stream: PassThrough; stop: () => void }> {
  const stream = new PassThrough();
  const sent = new Set<number>();
  let cursor = lastEventId ?? 0;
  let replaying = true;
  const buffered: UserEventRow[] = [];
  const send = (event: UserEventRow) => {
    if (sent.has(event.id) || stream.writableEnded) return;
    sent.add(event.id);
    cursor = Math.max(cursor, event.id);
    stream.write(frame(event));
  };
  const replay = async (after: number) => {
    for (const event of await repo.userEventsAfter(ctx.db, userId, after, REPLAY_LIMIT)) send(event);
  };
  const unsubscribe = await hub.subscribe(userId, {
    deliver: (event) => (replaying ? buffered.push(event) : send(event)),
    catchUp: () => void replay(cursor).catch((error) => ctx.log.error({ err: error }, 'live stream catch-up failed')),
  });
  const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), ctx.config.sseHeartbeat * 1000);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    unsubscribe();
    stream.end();
  };
  stream.write(`retry: 2000\n: connected\n\n`);
  try {
    if (lastEventId !== undefined) await replay(lastEventId);
  } catch (error) {
    stop();
    throw error;
  }
  replaying = false;
  for (const event of buffered.splice(0)) send(event);
  return { stream, stop };
}
