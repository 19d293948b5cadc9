// GET /notifications/stream/: a real listening server and a streaming fetch client, as a browser would use it.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import { openDatabase } from '../../core/db.js';
import type { App } from '../../core/module.js';

/** The bounded wait for an event that has committed: delivery is push, so this is only a safety net. */
const DELIVERY_WAIT_MS = 1000;

interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** A minimal SSE client over node:http, one socket per stream (EventSource cannot send Authorization). */
async function connect(baseUrl: string, headers: Record<string, string>) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const req = http.get(`${baseUrl}/api/v1/notifications/stream/`, { headers, agent: false });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.on('error', () => {}); // our own destroy() in close()
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1).trim());
        else if (line.includes(':')) fields[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim();
      }
      if (fields.data) events.push({ id: fields.id ?? '', event: fields.event ?? 'message', data: JSON.parse(fields.data) });
      end = buffer.indexOf('\n\n');
    }
    for (const wake of waiters) wake();
  });
  res.on('error', () => {});
  async function waitFor(check: () => boolean, ms = DELIVERY_WAIT_MS) {
    const deadline = Date.now() + ms;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not received within ${ms} ms; got ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      waiters.clear();
    }
  }
  return {
    res,
    events,
    comments,
    waitFor,
    async close() {
      req.destroy();
    },
  };
}

async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

let app: App;
let baseUrl: string;
beforeAll(async () => {
  app = await createTestApp({ env: { SSE_HEARTBEAT: '1s' } });
  baseUrl = await listen(app);
});
afterAll(async () => {
  await app.close();
});

async function customerWithOrder(target: App = app) {
  const user = await makeUser(target);
  const product = await makeProduct(target);
  const order = await placeOrder(target, user, [{ variantId: product.variants[0]!.id }]);
  return { user, order, headers: await authHeader(target, user) };
}

const cancel = async (target: App, orderId: string, headers: Record<string, string>) => {
  const res = await target.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/cancel/`, headers });
  expect(res.statusCode, res.body).toBe(200);
};

describe('GET /notifications/stream/', () => {
  it('refuses anonymous clients with 401', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/notifications/stream/' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a Last-Event-ID that is not an event id with 400', async () => {
    const { headers } = await customerWithOrder();
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/notifications/stream/',
      headers: { ...headers, 'last-event-id': 'abc' },
    });
    expect(res.statusCode).toBe(400);
  });

  it('delivers a committed status change and its notification to the owner only, with heartbeats', async () => {
    const { order, headers } = await customerWithOrder();
    const other = await customerWithOrder();
    const mine = await connect(baseUrl, headers);
    const theirs = await connect(baseUrl, other.headers);
    expect(mine.res.statusCode).toBe(200);
    expect(mine.res.headers['content-type']).toContain('text/event-stream');

    await cancel(app, order.id, headers);
    await mine.waitFor(() => mine.events.some((e) => e.event === 'notification'));
    await mine.waitFor(() => mine.events.some((e) => e.event === 'order_status'));
    expect(mine.events.find((e) => e.event === 'order_status')?.data).toMatchObject({
      order_id: order.id,
      from_status: 'pending',
      status: 'cancelled',
    });
    expect(mine.events.find((e) => e.event === 'notification')?.data).toMatchObject({ kind: 'order.cancelled', is_read: false });
    expect(mine.events.every((e) => /^\d+$/.test(e.id))).toBe(true);

    await mine.waitFor(() => mine.comments.includes('heartbeat'), 3000); // SSE_HEARTBEAT=1s here
    expect(theirs.events).toEqual([]);
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('resumes after a reconnect with Last-Event-ID: the missed events first, nothing twice', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const product = await makeProduct(app);
    const first = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
    const second = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);

    const before = await connect(baseUrl, headers);
    await cancel(app, first.id, headers);
    await before.waitFor(() => before.events.length === 2);
    const lastSeen = before.events.at(-1)!.id;
    await before.close();

    await cancel(app, second.id, headers); // while disconnected
    const after = await connect(baseUrl, { ...headers, 'last-event-id': lastSeen });
    await after.waitFor(() => after.events.length >= 2);
    const orderOf = (e: SseEvent) =>
      e.event === 'notification' ? (e.data.data as Record<string, unknown>).order_id : e.data.order_id;
    expect(after.events.map((e) => [e.event, orderOf(e)]).sort()).toEqual([
      ['notification', second.id],
      ['order_status', second.id],
    ]);
    expect(after.events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
    expect(after.events.map((e) => Number(e.id))).toEqual([...after.events.map((e) => Number(e.id))].sort((a, b) => a - b));
    await after.close();
  });
});

describe.skipIf(!process.env.DATABASE_URL)('across API replicas (PostgreSQL LISTEN/NOTIFY)', () => {
  it('a client on one app instance gets the status change made through another', async () => {
    const url = app.ctx.database.url;
    if (!url) throw new Error('expected a pg database');
    const other = await createTestApp({ database: await openDatabase({ url, poolSize: 4 }) });
    try {
      const { order, headers } = await customerWithOrder(other);
      const client = await connect(baseUrl, headers); // connected to `app`
      await cancel(other, order.id, headers); // committed by `other`
      await client.waitFor(() => client.events.some((e) => e.event === 'order_status' && e.data.order_id === order.id));
      await client.close();
    } finally {
      await other.close();
    }
  });
});
