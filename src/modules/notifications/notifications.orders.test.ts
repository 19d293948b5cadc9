// Order status changes notify the order's owner in the same transaction as the change: driven through the
// real orders endpoints (staff status changes, customer cancel).
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import type { UserRow } from '../accounts/accounts.tables.js';
import { applySimpleTransition } from '../orders/orders.lifecycle.js';
import { type OrderRow, orders } from '../orders/orders.tables.js';
import { notifications } from './notifications.tables.js';

const { app, staff: staffHeaders } = useTestApp({ staff: true });

async function orderOfNewUser() {
  const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
  const user = await makeUser(app);
  const order = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
  return { user, order: order as { id: string; order_number: string } };
}

async function setStatus(orderId: string, status: string) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/orders/${orderId}/status/`,
    headers: staffHeaders,
    payload: { status },
  });
  return res;
}

async function moveTo(orderId: string, ...statuses: string[]) {
  for (const status of statuses) {
    const res = await setStatus(orderId, status);
    expect(res.statusCode, res.body).toBe(200);
  }
}

const notificationsOf = (user: Pick<UserRow, 'id'>) =>
  app.ctx.db.select().from(notifications).where(eq(notifications.userId, user.id));

describe('order notifications', () => {
  it('a staff change to shipped gives the owner exactly one order.shipped notification', async () => {
    const { user, order } = await orderOfNewUser();
    await moveTo(order.id, 'paid', 'processing', 'shipped');
    const shipped = (await notificationsOf(user)).filter((n) => n.kind === 'order.shipped');
    expect(shipped).toHaveLength(1);
    expect(shipped[0]!.data).toEqual({ order_id: order.id, order_number: order.order_number });
    expect(shipped[0]!.title).toContain(order.order_number);
  });

  it('the owner sees the order notifications through the API, newest first, and nobody else does', async () => {
    const { user, order } = await orderOfNewUser();
    await moveTo(order.id, 'paid', 'processing', 'shipped', 'delivered');
    const mine = (
      await app.inject({ method: 'GET', url: '/api/v1/notifications/', headers: await authHeader(app, user) })
    ).json();
    expect(mine.results.map((n: { kind: string }) => n.kind)).toEqual(['order.delivered', 'order.shipped', 'order.paid']);
    const stranger = await makeUser(app);
    const theirs = await app.inject({ method: 'GET', url: '/api/v1/notifications/', headers: await authHeader(app, stranger) });
    expect(theirs.json().count).toBe(0);
  });

  it('moving to processing notifies nobody (no email either)', async () => {
    const { user, order } = await orderOfNewUser();
    await moveTo(order.id, 'paid');
    const before = (await notificationsOf(user)).length;
    await moveTo(order.id, 'processing');
    expect(await notificationsOf(user)).toHaveLength(before);
  });

  it('a cancellation by the customer gives one order.cancelled notification', async () => {
    const { user, order } = await orderOfNewUser();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel/`,
      headers: await authHeader(app, user),
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await notificationsOf(user)).map((n) => n.kind)).toEqual(['order.cancelled']);
  });

  it('a staff refund gives one order.refunded notification', async () => {
    const { user, order } = await orderOfNewUser();
    await moveTo(order.id, 'paid', 'refunded');
    expect((await notificationsOf(user)).filter((n) => n.kind === 'order.refunded')).toHaveLength(1);
  });

  it('an illegal status change is refused and notifies nobody', async () => {
    const { user, order } = await orderOfNewUser();
    const res = await setStatus(order.id, 'shipped');
    expect(res.statusCode).toBe(409);
    expect(await notificationsOf(user)).toHaveLength(0);
  });

  it('a status change whose transaction rolls back after the notification leaves no notification', async () => {
    const { user, order } = await orderOfNewUser();
    await moveTo(order.id, 'paid', 'processing');
    const before = (await notificationsOf(user)).length;
    await expect(
      app.ctx.db.transaction(async (tx) => {
        const [row] = await tx.select().from(orders).where(eq(orders.id, order.id)).for('update');
        await applySimpleTransition(tx, row as OrderRow, 'shipped', { actorId: null, note: '' }, app.ctx.now());
        expect((await tx.select().from(notifications).where(eq(notifications.userId, user.id))).length).toBe(before + 1);
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await notificationsOf(user)).toHaveLength(before);
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored!.status).toBe('processing');
  });
});
