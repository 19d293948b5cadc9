// PostgreSQL LISTEN on a connection of its own, for pushing committed changes to this process (the live
// notification stream). With a pool behind PgBouncer in transaction mode LISTEN does not work, so it goes to
// DATABASE_DIRECT_URL (or EVENTS_DATABASE_URL, which wins) straight at PostgreSQL. On PGlite, LISTEN runs
// inside the embedded database.
// A dropped connection is reopened after `retryMs`; `onReconnect` lets subscribers catch up on the gap.
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from './db.js';

export interface ChannelListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  database: Database;
  /** Overrides the database's session URL (DATABASE_DIRECT_URL, else the pool's) for the LISTEN connection. */
  url?: string;
  channel: string;
  log: Logger;
  retryMs?: number;
  onPayload(payload: string): void;
  onReconnect(): void;
}

/** Starts listening; never throws: a connection that cannot be made now is retried in the background. */
export async function listenChannel(options: ListenOptions): Promise<ChannelListener> {
  const { database, channel, log } = options;
  if (database.listen) {
    const unlisten = await database.listen(channel, options.onPayload);
    return { close: unlisten };
  }
  const url = options.url ?? database.sessionUrl ?? database.url;
  if (!url) throw new Error('no database URL to LISTEN on');
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const drop = (c: pg.Client, reason: unknown) => {
    if (client !== c) return;
    client = undefined;
    log.warn({ err: reason, channel }, 'LISTEN connection lost; reconnecting');
    c.end().catch(() => {});
    schedule();
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    c.on('error', (error) => drop(c, error));
    c.on('end', () => drop(c, new Error('connection ended')));
    c.on('notification', (message) => {
      if (message.channel === channel && message.payload) options.onPayload(message.payload);
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
    } catch (error) {
      drop(c, error);
      return false;
    }
    if (closed) await c.end().catch(() => {});
    return !closed;
  };
  function schedule() {
    if (closed || timer) return;
    timer = setTimeout(async () => {
      timer = undefined;
      if (await connect()) options.onReconnect();
    }, retryMs);
    timer.unref();
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
