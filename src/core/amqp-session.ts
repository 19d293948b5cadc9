// One RabbitMQ connection that heals itself. amqplib gives a connection and channels that, once closed, stay
// closed ("Channel closed" forever); this helper owns the loop around them: connect, let `setup` open channels
// and declare topology, and when the connection or any channel closes or errors, drop everything and do it
// again after a capped, jittered backoff. Disconnected for longer than `giveUpAfterMs`, it calls `onGiveUp`
// so the process can exit non-zero and its supervisor restart it, rather than idle on a dead connection.
import type { Channel, ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { type BackoffOptions, backoffDelay, sleep } from './resilience.js';

export interface AmqpSessionOptions {
  url: string;
  log: Logger;
  backoff: BackoffOptions;
  /** 0 = retry forever. */
  giveUpAfterMs: number;
  onGiveUp: (error: unknown) => void;
  /** Opens channels and declares topology on a fresh connection; runs after every (re)connect. */
  setup: (connection: ChannelModel, watch: (channel: Channel) => void) => Promise<void>;
  /** Names the setting in logs ("AMQP_URL"). */
  variable?: string;
}

export interface AmqpSession {
  readonly connected: boolean;
  /** Resolves once the first connection is set up (tests). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The URL without its password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

export function startAmqpSession(options: AmqpSessionOptions): AmqpSession {
  const { log } = options;
  const where = { variable: options.variable ?? 'AMQP_URL', url: redactUrl(options.url) };
  let connection: ChannelModel | undefined;
  let connected = false;
  let closing = false;
  let everConnected = false;
  let wake: (() => void) | undefined;
  let readyResolve: () => void = () => {};
  const readyPromise = new Promise<void>((r) => {
    readyResolve = r;
  });

  async function connectOnce(onUp: () => void): Promise<{ reason: string; wasUp: boolean }> {
    const { default: amqp } = await import('amqplib'); // loaded only by processes that use RabbitMQ
    const conn = await amqp.connect(options.url, { timeout: 5000 });
    connection = conn;
    const lost = new Promise<string>((resolve) => {
      wake = () => resolve('closing');
      conn.on('error', (error: Error) => resolve(`connection error: ${error.message}`));
      conn.on('close', () => resolve('connection closed'));
      const watch = (channel: Channel) => {
        channel.on('error', (error: Error) => resolve(`channel error: ${error.message}`));
        channel.on('close', () => resolve('channel closed'));
      };
      options.setup(conn, watch).then(
        () => {
          connected = true;
          onUp();
          readyResolve();
        },
        (error: unknown) => resolve(`setup failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
    const reason = await lost;
    const wasUp = connected;
    connected = false;
    connection = undefined;
    await conn.close().catch(() => {}); // tears down the surviving channels too
    return { reason, wasUp };
  }

  async function loop() {
    let attempt = 0;
    let downSince = Date.now();
    let lastError: unknown;
    while (!closing) {
      try {
        const { reason, wasUp } = await connectOnce(() => {
          const downMs = Date.now() - downSince;
          if (everConnected) log.info({ ...where, downMs }, 'RabbitMQ reconnected');
          else log.info(where, 'RabbitMQ connected');
          everConnected = true;
        });
        if (closing) break;
        if (wasUp) {
          // a working session ended: a fresh outage starts now
          log.warn({ ...where, reason }, 'RabbitMQ connection lost; reconnecting');
          attempt = 0;
          downSince = Date.now();
        } else {
          lastError = new Error(reason);
        }
      } catch (error) {
        lastError = error;
        if (attempt === 0) {
          const message = error instanceof Error ? error.message : String(error);
          if (everConnected) log.warn({ ...where, err: message }, 'RabbitMQ unreachable; retrying');
          else log.error({ ...where, err: message }, `RabbitMQ configured by ${where.variable} is unreachable; retrying`);
        }
      }
      if (closing) break;
      const downMs = Date.now() - downSince;
      if (options.giveUpAfterMs > 0 && downMs > options.giveUpAfterMs) {
        log.fatal({ ...where, downMs }, 'RabbitMQ still unreachable; giving up');
        options.onGiveUp(lastError);
        return;
      }
      await sleep(backoffDelay(attempt++, options.backoff));
    }
  }

  void loop();
  return {
    get connected() {
      return connected;
    },
    ready: () => readyPromise,
    async close() {
      closing = true;
      wake?.();
      await connection?.close().catch(() => {});
    },
  };
}
