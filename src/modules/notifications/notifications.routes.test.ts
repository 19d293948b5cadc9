import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { enqueueJob } from '../../core/jobs.js';
import type { UserRow } from '../accounts/accounts.tables.js';
import { cleanupNotificationsJob } from './notifications.jobs.js';
import { notifyUser } from './notifications.service.js';
import { type NotificationRow, notifications } from './notifications.tables.js';

const { app } = useTestApp();

const DAY = 24 * 3600 * 1000;

/** A notification row for `user`, `minutesAgo` old (distinct ages make the order deterministic). */
async function makeNotification(
  user: Pick<UserRow, 'id'>,
  overrides: Partial<typeof notifications.$inferInsert> & { minutesAgo?: number } = {},
): Promise<NotificationRow> {
  const { minutesAgo = 0, ...rest } = overrides;
  const [row] = await app.ctx.db
    .insert(notifications)
    .values({
      userId: user.id,
      kind: 'order.shipped',
      title: 'Order shipped',
      body: 'On its way.',
      data: { order_id: randomUUID() },
      createdAt: new Date(Date.now() - minutesAgo * 60_000),
      ...rest,
    })
    .returning();
  return row as NotificationRow;
}

const get = async (user: UserRow, url: string) =>
  app.inject({ method: 'GET', url: `/api/v1${url}`, headers: await authHeader(app, user) });
const post = async (user: UserRow, url: string) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, headers: await authHeader(app, user) });
const idsOf = (page: { results: { id: string }[] }) => page.results.map((n) => n.id);

describe('listing notifications', () => {
  it('lists only the caller’s own notifications, newest first', async () => {
    const user = await makeUser(app);
    const older = await makeNotification(user, { minutesAgo: 10 });
    const newer = await makeNotification(user, { minutesAgo: 1 });
    await makeNotification(await makeUser(app));
    const res = await get(user, '/notifications/');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().count).toBe(2);
    expect(idsOf(res.json())).toEqual([newer.id, older.id]);
  });

  it('shows each notification with its kind, texts, data and read state', async () => {
    const user = await makeUser(app);
    const orderId = randomUUID();
    const row = await makeNotification(user, { kind: 'order.paid', title: 'Paid', body: 'Thanks', data: { order_id: orderId } });
    const res = await get(user, '/notifications/');
    expect(res.json().results[0]).toEqual({
      id: row.id,
      kind: 'order.paid',
      title: 'Paid',
      body: 'Thanks',
      data: { order_id: orderId },
      is_read: false,
      read_at: null,
      created_at: row.createdAt.toISOString(),
    });
  });

  it('filters to unread ones with ?unread=true and to read ones with ?unread=false', async () => {
    const user = await makeUser(app);
    const unread = await makeNotification(user, { minutesAgo: 2 });
    const read = await makeNotification(user, { minutesAgo: 1, readAt: new Date() });
    expect(idsOf((await get(user, '/notifications/?unread=true')).json())).toEqual([unread.id]);
    expect(idsOf((await get(user, '/notifications/?unread=false')).json())).toEqual([read.id]);
  });

  it('paginates DRF-style with next and previous links', async () => {
    const user = await makeUser(app);
    const rows = [];
    for (let i = 3; i >= 1; i--) rows.push(await makeNotification(user, { minutesAgo: i }));
    const first = (await get(user, '/notifications/?page_size=2')).json();
    expect(first.count).toBe(3);
    expect(idsOf(first)).toEqual([rows[2]!.id, rows[1]!.id]);
    expect(first.next).toContain('page=2');
    expect(first.previous).toBeNull();
    const second = (await get(user, '/notifications/?page_size=2&page=2')).json();
    expect(idsOf(second)).toEqual([rows[0]!.id]);
    expect(second.next).toBeNull();
  });

  it('answers 404 for a page past the end', async () => {
    const user = await makeUser(app);
    await makeNotification(user);
    expect((await get(user, '/notifications/?page=2')).statusCode).toBe(404);
  });

  it('answers 400 with field errors for a bad unread or page value', async () => {
    const user = await makeUser(app);
    const res = await get(user, '/notifications/?unread=maybe&page=0');
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['page', 'unread']);
  });

  it('refuses anonymous callers with 401 on every endpoint', async () => {
    const id = randomUUID();
    for (const [method, url] of [
      ['GET', '/notifications/'],
      ['GET', '/notifications/unread-count/'],
      ['POST', '/notifications/read-all/'],
      ['POST', `/notifications/${id}/read/`],
    ] as const) {
      const res = await app.inject({ method, url: `/api/v1${url}` });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });
});

describe('reading notifications', () => {
  it('marks the caller’s notification read', async () => {
    const user = await makeUser(app);
    const row = await makeNotification(user);
    const res = await post(user, `/notifications/${row.id}/read/`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().is_read).toBe(true);
    const [stored] = await app.ctx.db.select().from(notifications).where(eq(notifications.id, row.id));
    expect(stored!.readAt).not.toBeNull();
  });

  it('answers 404 for another user’s notification and leaves it unread', async () => {
    const owner = await makeUser(app);
    const row = await makeNotification(owner);
    const res = await post(await makeUser(app), `/notifications/${row.id}/read/`);
    expect(res.statusCode).toBe(404);
    const [stored] = await app.ctx.db.select().from(notifications).where(eq(notifications.id, row.id));
    expect(stored!.readAt).toBeNull();
  });

  it('reading twice succeeds and keeps the first read time', async () => {
    const user = await makeUser(app);
    const row = await makeNotification(user);
    const first = await post(user, `/notifications/${row.id}/read/`);
    const second = await post(user, `/notifications/${row.id}/read/`);
    expect(second.statusCode).toBe(200);
    expect(second.json().read_at).toBe(first.json().read_at);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const user = await makeUser(app);
    expect((await post(user, `/notifications/${randomUUID()}/read/`)).statusCode).toBe(404);
    const bad = await post(user, '/notifications/not-a-uuid/read/');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toHaveProperty('id');
  });

  it('read-all marks every unread notification of the caller and says how many', async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    await makeNotification(user);
    await makeNotification(user);
    await makeNotification(user, { readAt: new Date() });
    const othersRow = await makeNotification(other);
    const res = await post(user, '/notifications/read-all/');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ updated: 2 });
    expect((await get(user, '/notifications/?unread=true')).json().count).toBe(0);
    const [stored] = await app.ctx.db.select().from(notifications).where(eq(notifications.id, othersRow.id));
    expect(stored!.readAt).toBeNull();
    expect((await post(user, '/notifications/read-all/')).json()).toEqual({ updated: 0 });
  });

  it('counts the caller’s unread notifications', async () => {
    const user = await makeUser(app);
    await makeNotification(user);
    await makeNotification(user);
    await makeNotification(user, { readAt: new Date() });
    await makeNotification(await makeUser(app));
    const res = await get(user, '/notifications/unread-count/');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ count: 2 });
  });
});

describe('notifyUser', () => {
  it('inserts one notification per dedupe key, however often it is called', async () => {
    const user = await makeUser(app);
    const input = { kind: 'order.paid', title: 'Paid', dedupeKey: `test:${randomUUID()}` };
    expect(await app.ctx.db.transaction((tx) => notifyUser(tx, user.id, input))).toBe(true);
    expect(await app.ctx.db.transaction((tx) => notifyUser(tx, user.id, input))).toBe(false);
    const rows = await app.ctx.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(rows).toHaveLength(1);
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    const user = await makeUser(app);
    await expect(
      app.ctx.db.transaction(async (tx) => {
        await notifyUser(tx, user.id, { kind: 'order.paid', title: 'Paid' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    const rows = await app.ctx.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(rows).toHaveLength(0);
  });
});

describe('cleanup job', () => {
  it('deletes notifications older than 90 days and keeps newer ones', async () => {
    const user = await makeUser(app);
    const old = await makeNotification(user, { createdAt: new Date(Date.now() - 91 * DAY) });
    const recent = await makeNotification(user, { createdAt: new Date(Date.now() - 89 * DAY) });
    await enqueueJob(app.ctx.db, cleanupNotificationsJob, {});
    await app.ctx.jobs.runDue();
    const ids = (await app.ctx.db.select().from(notifications).where(eq(notifications.userId, user.id))).map((r) => r.id);
    expect(ids).toContain(recent.id);
    expect(ids).not.toContain(old.id);
  });
});

describe('OpenAPI', () => {
  it('documents every notifications endpoint under the notifications tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/schema/' })).json();
    const operations = [
      doc.paths['/api/v1/notifications/']?.get,
      doc.paths['/api/v1/notifications/unread-count/']?.get,
      doc.paths['/api/v1/notifications/read-all/']?.post,
      doc.paths['/api/v1/notifications/{id}/read/']?.post,
    ];
    for (const op of operations) {
      expect(op?.tags).toEqual(['notifications']);
      expect(op?.responses).toHaveProperty('200');
    }
  });
});
