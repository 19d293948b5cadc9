// Production job transport: a relay claims due outbox rows and publishes them to a durable RabbitMQ queue
// (publisher confirms); consumers in any number of worker processes run them. The row stays the source of
// truth: a consumer first *takes* the job (its lease must still be the one the relay wrote), so a message
// delivered twice (redelivery after a connection loss, or a republish after a lease lapsed) runs once, and a
// row whose message was lost is claimed again once its lease lapses. The connection heals itself
// (amqp-session.ts); while it is down the outbox simply keeps the rows.
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type AmqpSession, startAmqpSession } from './amqp-session.js';
import type { Db } from './db.js';
import type { ClaimedJob, JobRunner } from './jobs.js';
import { type BackoffOptions, sleep } from './resilience.js';

export const DEFAULT_JOB_QUEUE = 'emporium.jobs';

export interface AmqpJobsOptions {
  url: string;
  db: Db;
  runner: JobRunner;
  log: Logger;
  queue?: string;
  /** How often the relay looks for due rows. */
  pollIntervalMs?: number;
  /** Messages a consumer runs at once. */
  prefetch?: number;
  /** Reconnect backoff; default 500 ms doubling up to 30 s. */
  backoff?: BackoffOptions;
  /** Exit (via onGiveUp) after this long without a broker; 0 = never. */
  giveUpAfterMs?: number;
  onGiveUp?: (error: unknown) => void;
  /** Run the consumer (false: relay only). */
  consume?: boolean;
}

export interface AmqpJobs {
  /** Publishes every due row now; returns how many (0 while disconnected). */
  relayDue(): Promise<number>;
  readonly connected: boolean;
  session: AmqpSession;
  stop(): Promise<void>;
}

/** Starts the relay and a consumer on one self-healing connection (a worker process runs both). */
export async function startAmqpJobs(options: AmqpJobsOptions): Promise<AmqpJobs> {
  const queue = options.queue ?? DEFAULT_JOB_QUEUE;
  const { db, runner, log } = options;
  let publisher: ConfirmChannel | undefined;
  let stopping = false;
  /** Jobs this process runs now, by id: a redelivered copy waits for the run instead of starting another. */
  const inFlight = new Map<string, Promise<unknown>>();

  const handle = async (channel: Channel, message: ConsumeMessage) => {
    const settle = (fn: () => void) => {
      try {
        fn();
      } catch {
        // the channel died meanwhile; the broker redelivers and take() sorts it out
      }
    };
    try {
      const job = JSON.parse(message.content.toString()) as ClaimedJob;
      const running = inFlight.get(job.id);
      if (running) await running;
      else if (await runner.take(job)) {
        const run = runner.execute(job);
        inFlight.set(job.id, run);
        await run.finally(() => inFlight.delete(job.id));
      }
      settle(() => channel.ack(message));
    } catch (error) {
      // the database is away: wait a little so a requeued message does not spin
      log.warn({ err: error }, 'job message could not be taken; requeueing');
      await sleep(1000);
      settle(() => channel.nack(message, false, true));
    }
  };

  const session = startAmqpSession({
    url: options.url,
    log,
    backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
    giveUpAfterMs: options.giveUpAfterMs ?? 0,
    onGiveUp: options.onGiveUp ?? (() => {}),
    async setup(connection, watch) {
      const pub = await connection.createConfirmChannel();
      watch(pub);
      await pub.assertQueue(queue, { durable: true });
      if (options.consume !== false) {
        const consumer = await connection.createChannel();
        watch(consumer);
        await consumer.prefetch(options.prefetch ?? 4);
        await consumer.consume(queue, (message) => message && void handle(consumer, message), { noAck: false });
      }
      publisher = pub;
    },
  });

  async function relayDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const channel = publisher;
      if (!channel || !session.connected) return total;
      const batch = await runner.claim(100);
      if (batch.length === 0) return total;
      try {
        for (const job of batch) {
          channel.sendToQueue(queue, Buffer.from(JSON.stringify(job)), { persistent: true, messageId: job.id, type: job.type });
        }
        await channel.waitForConfirms();
      } catch (error) {
        // give the rows back at once instead of waiting for their lease to lapse
        await db
          .execute(
            sql`UPDATE jobs SET status = 'pending', attempts = attempts - 1, locked_until = NULL
                WHERE id IN (${sql.join(
                  batch.map((j) => sql`${j.id}`),
                  sql`, `,
                )}) AND status = 'running'`,
          )
          .catch(() => {}); // the lease lapses by itself
        throw error;
      }
      total += batch.length;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let relaying: Promise<unknown> | undefined;
  let relayFailing = false;
  const tick = () => {
    if (stopping) return;
    relaying = relayDue()
      .then(() => {
        if (relayFailing) log.info('job relay recovered');
        relayFailing = false;
      })
      .catch((error) => {
        if (!relayFailing) log.warn({ err: error }, 'job relay failed; retrying every poll');
        relayFailing = true;
      })
      .finally(() => {
        relaying = undefined;
        if (!stopping) timer = setTimeout(tick, options.pollIntervalMs ?? 1000);
      });
  };
  tick();

  return {
    relayDue,
    session,
    get connected() {
      return session.connected;
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await relaying;
      await Promise.all(inFlight.values());
      await session.close();
    },
  };
}
