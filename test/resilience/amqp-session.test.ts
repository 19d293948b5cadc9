// The self-healing RabbitMQ session on its own: it gives up (so the process can exit non-zero) after the
// configured time without a broker, reporting the variable once; and it rebuilds itself when a channel —
// not only the connection — is closed by the broker.
import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startAmqpSession } from '../../src/core/amqp-session.js';
import { until } from '../support/processes.js';

function capture() {
  const lines: Array<{ level: number; msg: string; variable?: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('self-healing RabbitMQ session', () => {
  it('gives up after the configured time without a broker, naming AMQP_URL once', async () => {
    const { log, lines } = capture();
    let gaveUp = false;
    const session = startAmqpSession({
      url: 'amqp://guest:secret@127.0.0.1:1/',
      log,
      backoff: { initialMs: 20, maxMs: 100 },
      giveUpAfterMs: 600,
      onGiveUp: () => {
        gaveUp = true;
      },
      setup: async () => {},
    });
    await until(() => gaveUp, 'the session to give up', 10_000);
    await session.close();
    expect(session.connected).toBe(false);
    const unreachable = lines.filter((l) => l.level === 50 && l.msg.includes('unreachable'));
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]?.msg).toContain('AMQP_URL');
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(lines.some((l) => l.level === 60 && l.msg.includes('giving up'))).toBe(true);
  });

  it.skipIf(!process.env.AMQP_URL)('reconnects and sets up again when the broker closes a channel (needs AMQP_URL)', async () => {
    const { log, lines } = capture();
    let setups = 0;
    let channel: Channel | undefined;
    const session = startAmqpSession({
      url: process.env.AMQP_URL as string,
      log,
      backoff: { initialMs: 20, maxMs: 100 },
      giveUpAfterMs: 0,
      onGiveUp: () => {},
      async setup(connection, watch) {
        setups++;
        channel = await connection.createChannel();
        watch(channel);
      },
    });
    await session.ready();
    // a passive declare of a missing queue makes the broker close the channel (404)
    await (channel as Channel).checkQueue(`missing-${randomUUID()}`).catch(() => {});
    await until(() => setups === 2 && session.connected, 'a second setup', 10_000);
    await session.close();
    expect(lines.some((l) => l.msg === 'RabbitMQ connection lost; reconnecting')).toBe(true);
  });
});
