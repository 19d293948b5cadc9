// Production job transport: a relay claims due outbox rows and publishes them to a durable RabbitMQ queue
// (publisher confirms); consumers in any number of worker processes run them. The row stays the source of
// truth: a message whose row is already finished is dropped, and a row whose message was lost is claimed
// again once its lock expires, so delivery is at-least-once and handlers stay idempotent.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, queryRows } from './db.js';
import type { ClaimedJob, JobRunner } from './jobs.js';

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
}

export interface AmqpJobs {
  /** Publishes every due row now; returns how many. */
  relayDue(): Promise<number>;
  stop(): Promise<void>;
}

async function isStillClaimed(db: Db, id: string): Promise<boolean> {
  const rows = await queryRows<{ status: string }>(db, sql`SELECT status FROM jobs WHERE id = ${id}`);
  return rows[0]?.status === 'running';
}

/** Starts the relay and a consumer on one connection (a worker process runs both). */
export async function startAmqpJobs(options: AmqpJobsOptions): Promise<AmqpJobs> {
  const queue = options.queue ?? DEFAULT_JOB_QUEUE;
  const { db, runner, log } = options;
  const connection: ChannelModel = await amqp.connect(options.url);
  connection.on('error', (error) => log.error({ err: error }, 'amqp connection error'));
  const publisher: ConfirmChannel = await connection.createConfirmChannel();
  const consumer: Channel = await connection.createChannel();
  await publisher.assertQueue(queue, { durable: true });
  await consumer.prefetch(options.prefetch ?? 4);

  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  const onMessage = (message: ConsumeMessage | null) => {
    if (!message) return;
    const work = (async () => {
      try {
        const job = JSON.parse(message.content.toString()) as ClaimedJob;
        if (await isStillClaimed(db, job.id)) await runner.execute(job);
        consumer.ack(message);
      } catch (error) {
        log.error({ err: error }, 'job message failed; requeueing');
        consumer.nack(message, false, true);
      }
    })();
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const { consumerTag } = await consumer.consume(queue, onMessage, { noAck: false });

  async function relayDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await runner.claim(100);
      if (batch.length === 0) return total;
      try {
        for (const job of batch) {
          publisher.sendToQueue(queue, Buffer.from(JSON.stringify(job)), { persistent: true, messageId: job.id, type: job.type });
        }
        await publisher.waitForConfirms();
      } catch (error) {
        // give the rows back at once instead of waiting for their lock to expire
        const ids = batch.map((j) => j.id);
        await db.execute(
          sql`UPDATE jobs SET status = 'pending', attempts = attempts - 1, locked_until = NULL
              WHERE id IN (${sql.join(
                ids.map((id) => sql`${id}`),
                sql`, `,
              )}) AND status = 'running'`,
        );
        throw error;
      }
      total += batch.length;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let relaying: Promise<unknown> | undefined;
  const tick = () => {
    if (stopping) return;
    relaying = relayDue()
      .catch((error) => log.error({ err: error }, 'job relay failed'))
      .finally(() => {
        relaying = undefined;
        if (!stopping) timer = setTimeout(tick, options.pollIntervalMs ?? 1000);
      });
  };
  tick();

  return {
    relayDue,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await relaying;
      await consumer.cancel(consumerTag).catch(() => {});
      await Promise.all(inFlight);
      await connection.close().catch(() => {});
    },
  };
}
