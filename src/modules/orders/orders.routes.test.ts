import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { mailsTo } from '../../../test/factories/mail.js';
import { makeCoupon, placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { jobs } from '../../core/jobs.tables.js';
import { productVariants } from '../catalog/catalog.tables.js';
import {
  getOrderForPayment,
  hasDeliveredOrderWithProduct,
  markOrderPaid,
  markOrderRefunded,
  setOrderPaymentStatus,
} from './orders.service.js';
import { coupons, orders } from './orders.tables.js';

const { app, staff: staffHeaders } = useTestApp({ staff: true });

const stockOf = async (variantId: string) =>
  (await app.ctx.db.select().from(productVariants).where(eq(productVariants.id, variantId)))[0]!.stockQuantity;

async function orderOf(stock = 10, quantity = 2) {
  const product = await makeProduct(app, { variants: [{ stockQuantity: stock }] });
  const user = await makeUser(app);
  const order = await placeOrder(app, user, [{ variantId: product.variants[0]!.id, quantity }]);
  return { product, variantId: product.variants[0]!.id, user, headers: await authHeader(app, user), order };
}

const setStatus = (id: string, status: string, note = '') =>
  app.inject({ method: 'POST', url: `/api/v1/orders/${id}/status/`, headers: staffHeaders, payload: { status, note } });

describe('order list and detail', () => {
  it('lists only the user’s own orders, newest first, paginated', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 50 }] });
    const user = await makeUser(app);
    const first = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
    const second = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }]);
    await placeOrder(app, await makeUser(app), [{ variantId: product.variants[0]!.id }]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/orders/?page_size=1', headers: await authHeader(app, user) });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.count).toBe(2);
    expect(page.results.map((o: { id: string }) => o.id)).toEqual([second.id]);
    expect(page.next).toContain('page=2');
    const page2 = await app.inject({
      method: 'GET',
      url: '/api/v1/orders/?page_size=1&page=2',
      headers: await authHeader(app, user),
    });
    expect(page2.json().results[0].id).toBe(first.id);
  });

  it('lets staff list everyone’s orders with status and user filters', async () => {
    const a = await orderOf();
    await orderOf();
    const all = await app.inject({ method: 'GET', url: '/api/v1/orders/?all=true&page_size=100', headers: staffHeaders });
    expect(all.json().count).toBeGreaterThanOrEqual(2);
    const mine = await app.inject({ method: 'GET', url: `/api/v1/orders/?all=true&user=${a.user.id}`, headers: staffHeaders });
    expect(mine.json().results.map((o: { id: string }) => o.id)).toEqual([a.order.id]);
    await setStatus(a.order.id, 'paid');
    const paid = await app.inject({
      method: 'GET',
      url: `/api/v1/orders/?all=true&status=paid&user=${a.user.id}`,
      headers: staffHeaders,
    });
    expect(paid.json().count).toBe(1);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await app.inject({
      method: 'GET',
      url: `/api/v1/orders/?all=true&created_after=${encodeURIComponent(future)}`,
      headers: staffHeaders,
    });
    expect(none.json().count).toBe(0);
  });

  it('answers 404 for a page number past any bigint offset, not 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/orders/?page=99999999999999999999', headers: staffHeaders });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_page');
  });

  it('refuses all=true to a customer', async () => {
    const { headers } = await orderOf();
    const res = await app.inject({ method: 'GET', url: '/api/v1/orders/?all=true', headers });
    expect(res.statusCode).toBe(403);
  });

  it('shows an order with items and history to its owner and staff, 404 to others', async () => {
    const { order, headers } = await orderOf();
    const own = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: order.id, items: [expect.any(Object)], status_history: [expect.any(Object)] });
    expect((await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers: staffHeaders })).statusCode).toBe(200);
    const stranger = await authHeader(app, await makeUser(app));
    expect((await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers: stranger })).statusCode).toBe(404);
  });
});

describe('cancellation', () => {
  it('cancels a pending order, restores stock, and records who and why', async () => {
    const { order, headers, variantId, user } = await orderOf(10, 3);
    expect(await stockOf(variantId)).toBe(7);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel/`,
      headers,
      payload: { reason: 'Ordered twice' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    expect(res.json().status_history.at(-1)).toMatchObject({
      from_status: 'pending',
      status: 'cancelled',
      note: 'Ordered twice',
      changed_by: user.id,
    });
    expect(await stockOf(variantId)).toBe(10);
  });

  it('restores stock only once: a second cancel is a 409', async () => {
    const { order, headers, variantId } = await orderOf(10, 3);
    await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
    const again = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invalid_transition');
    expect(await stockOf(variantId)).toBe(10);
  });

  it('refuses to cancel a shipped order', async () => {
    const { order, headers } = await orderOf();
    for (const s of ['paid', 'processing', 'shipped']) expect((await setStatus(order.id, s)).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
    expect(res.statusCode).toBe(409);
  });

  it('answers 404 to a stranger cancelling someone else’s order', async () => {
    const { order, variantId } = await orderOf(10, 2);
    const stranger = await authHeader(app, await makeUser(app));
    const res = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers: stranger });
    expect(res.statusCode).toBe(404);
    expect(await stockOf(variantId)).toBe(8);
  });

  it('enqueues a refund through payments when a paid order is cancelled', async () => {
    const { order, headers } = await orderOf();
    await setStatus(order.id, 'paid');
    await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
    const refunds = await app.ctx.db.select().from(jobs).where(eq(jobs.type, 'payments.refund_order'));
    expect(refunds.map((j) => j.payload)).toContainEqual({ orderId: order.id });
  });

  it('gives the coupon use back', async () => {
    const coupon = await makeCoupon(app, { usageLimit: 1 });
    const product = await makeProduct(app);
    const user = await makeUser(app);
    const order = await placeOrder(app, user, [{ variantId: product.variants[0]!.id }], { coupon_code: coupon.code });
    await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers: await authHeader(app, user) });
    expect((await app.ctx.db.select().from(coupons).where(eq(coupons.id, coupon.id)))[0]!.usedCount).toBe(0);
  });
});

describe('staff status changes', () => {
  it('moves an order along the legal path with history and emails for shipped and delivered', async () => {
    const { order, user } = await orderOf();
    const staff = await makeStaff(app);
    const headers = await authHeader(app, staff);
    for (const status of ['paid', 'processing', 'shipped', 'delivered']) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/orders/${order.id}/status/`,
        headers,
        payload: { status, note: `to ${status}` },
      });
      expect(res.statusCode).toBe(200);
    }
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers })).json();
    expect(detail.status).toBe('delivered');
    expect(detail.payment_status).toBe('paid');
    expect(detail.status_history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'paid',
      'processing',
      'shipped',
      'delivered',
    ]);
    expect(detail.status_history.at(-1)).toMatchObject({ note: 'to delivered', changed_by: staff.id });
    await app.ctx.jobs.runDue();
    const subjects = (await mailsTo(app, user.email)).map((m) => m.subject);
    expect(subjects).toContain(`Your order ${order.order_number} is on its way`);
    expect(subjects).toContain(`Your order ${order.order_number} was delivered`);
  });

  it('refuses an illegal transition with 409 and changes nothing', async () => {
    const { order } = await orderOf();
    const res = await setStatus(order.id, 'shipped');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('invalid_transition');
    expect((await app.ctx.db.select().from(orders).where(eq(orders.id, order.id)))[0]!.status).toBe('pending');
  });

  it('refuses customers', async () => {
    const { order, headers } = await orderOf();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/status/`,
      headers,
      payload: { status: 'paid' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('refuses an unknown status with a field error', async () => {
    const { order } = await orderOf();
    const res = await setStatus(order.id, 'lost');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.status).toBeDefined();
  });

  it('restores stock when staff refund a delivered order, once', async () => {
    const { order, variantId } = await orderOf(10, 4);
    for (const s of ['paid', 'processing', 'shipped', 'delivered', 'refunded'])
      expect((await setStatus(order.id, s)).statusCode).toBe(200);
    expect(await stockOf(variantId)).toBe(10);
    const refundJobs = await app.ctx.db.select().from(jobs).where(eq(jobs.type, 'payments.refund_order'));
    expect(refundJobs.map((j) => j.payload)).toContainEqual({ orderId: order.id });
  });
});

describe('unpaid order expiry', () => {
  it('cancels a still-pending order when its payment deadline passes and releases the stock', async () => {
    const { order, variantId, user } = await orderOf(10, 3);
    expect(await stockOf(variantId)).toBe(7);
    await app.ctx.db.execute(
      sql`UPDATE jobs SET run_at = now() WHERE type = 'orders.expire_unpaid' AND payload->>'orderId' = ${order.id}`,
    );
    await app.ctx.jobs.runDue();
    await app.ctx.jobs.runDue(); // the cancellation email the expiry enqueued
    const row = (await app.ctx.db.select().from(orders).where(eq(orders.id, order.id)))[0]!;
    expect(row.status).toBe('cancelled');
    expect(row.stockRestoredAt).not.toBeNull();
    expect(await stockOf(variantId)).toBe(10);
    expect((await mailsTo(app, user.email)).map((m) => m.subject)).toContain(`Your order ${order.order_number} was cancelled`);
  });

  it('leaves a paid order alone', async () => {
    const { order, variantId } = await orderOf(10, 3);
    await setStatus(order.id, 'paid');
    await app.ctx.db.execute(
      sql`UPDATE jobs SET run_at = now() WHERE type = 'orders.expire_unpaid' AND payload->>'orderId' = ${order.id}`,
    );
    await app.ctx.jobs.runDue();
    expect((await app.ctx.db.select().from(orders).where(eq(orders.id, order.id)))[0]!.status).toBe('paid');
    expect(await stockOf(variantId)).toBe(7);
  });
});

describe('payments and catalog contracts', () => {
  it('gives payments the order summary in minor units', async () => {
    const { order, user } = await orderOf();
    expect(await getOrderForPayment(app.ctx.db, order.id)).toMatchObject({
      id: order.id,
      orderNumber: order.order_number,
      userId: user.id,
      status: 'pending',
      paymentStatus: 'unpaid',
      total: Math.round(Number(order.total) * 100),
      currency: 'USD',
    });
  });

  it('marks a pending order paid once and refuses a second time', async () => {
    const { order } = await orderOf();
    const first = await app.ctx.db.transaction((tx) =>
      markOrderPaid(tx, order.id, { actorId: null, note: 'Stripe' }, app.ctx.now()),
    );
    const second = await app.ctx.db.transaction((tx) =>
      markOrderPaid(tx, order.id, { actorId: null, note: 'Stripe' }, app.ctx.now()),
    );
    expect([first, second]).toEqual([true, false]);
    const row = (await app.ctx.db.select().from(orders).where(eq(orders.id, order.id)))[0]!;
    expect(row).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    const emails = await app.ctx.db
      .select()
      .from(jobs)
      .where(sql`${jobs.dedupeKey} = ${`orders.email:${order.id}:paid`}`);
    expect(emails).toHaveLength(1);
  });

  it('does not mark a cancelled order paid', async () => {
    const { order, headers } = await orderOf();
    await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers });
    expect(await app.ctx.db.transaction((tx) => markOrderPaid(tx, order.id, { actorId: null, note: '' }, app.ctx.now()))).toBe(
      false,
    );
  });

  it('sets the payment status', async () => {
    const { order } = await orderOf();
    await app.ctx.db.transaction((tx) => setOrderPaymentStatus(tx, order.id, 'failed'));
    expect((await getOrderForPayment(app.ctx.db, order.id))!.paymentStatus).toBe('failed');
  });

  it('marks a paid order refunded and restores its stock; a cancelled one keeps its status', async () => {
    const paid = await orderOf(10, 2);
    await app.ctx.db.transaction((tx) => markOrderPaid(tx, paid.order.id, { actorId: null, note: '' }, app.ctx.now()));
    await app.ctx.db.transaction((tx) =>
      markOrderRefunded(tx, paid.order.id, { actorId: null, note: 'Refunded in Stripe' }, app.ctx.now()),
    );
    expect(await getOrderForPayment(app.ctx.db, paid.order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect(await stockOf(paid.variantId)).toBe(10);

    const cancelled = await orderOf(10, 2);
    await setStatus(cancelled.order.id, 'paid');
    await app.inject({ method: 'POST', url: `/api/v1/orders/${cancelled.order.id}/cancel/`, headers: cancelled.headers });
    await app.ctx.db.transaction((tx) => markOrderRefunded(tx, cancelled.order.id, { actorId: null, note: '' }, app.ctx.now()));
    expect(await getOrderForPayment(app.ctx.db, cancelled.order.id)).toMatchObject({
      status: 'cancelled',
      paymentStatus: 'refunded',
    });
    expect(await stockOf(cancelled.variantId)).toBe(10);
  });

  it('reports a verified purchase only for delivered orders', async () => {
    const { order, user, product } = await orderOf();
    expect(await hasDeliveredOrderWithProduct(app.ctx.db, user.id, product.id)).toBe(false);
    for (const s of ['paid', 'processing', 'shipped', 'delivered']) await setStatus(order.id, s);
    expect(await hasDeliveredOrderWithProduct(app.ctx.db, user.id, product.id)).toBe(true);
  });
});
