import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder, stockOf } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { cancelOrder } from '../orders/orders.service.js';
import { refunds } from './payments.tables.js';

const { app, staff: staffHeaders } = useTestApp({ staff: true });

async function manualPayment(method?: string) {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user, { unitPrice: 1500, quantity: 2, stock: 4 });
  const headers = await authHeader(app, user);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/payments/create-intent/',
    headers,
    payload: { order_id: order.id, ...(method ? { payment_method: method } : {}) },
  });
  return { user, order, headers, res, paymentId: res.json().payment_id as string };
}

const markPaid = (paymentId: string, headers = staffHeaders) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/payments/${paymentId}/mark-paid/`,
    headers,
    payload: { note: 'Bank transfer received' },
  });

describe('manual (offline) provider', () => {
  it('opens a pending offline payment without a client secret', async () => {
    const { res, order } = await manualPayment();
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ provider: 'manual', client_secret: null, amount: '30.00', status: 'pending' });
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({
      method: 'bank_transfer',
      providerReference: expect.stringMatching(/^manual_/),
    });
  });

  it('records cash on delivery as the method when asked', async () => {
    const { order } = await manualPayment('cash_on_delivery');
    expect((await paymentsOfOrder(app, order.id))[0]?.method).toBe('cash_on_delivery');
  });

  it('refuses card payments when Stripe is not configured', async () => {
    const { res } = await manualPayment('card');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('payment_method');
  });

  it('keeps the payment pending on confirm: only staff can say the money arrived', async () => {
    const { order, headers, paymentId } = await manualPayment();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/confirm/',
      headers,
      payload: { payment_id: paymentId },
    });
    expect(res.json().status).toBe('pending');
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('lets staff mark the payment paid, which pays the order once', async () => {
    const { order, paymentId } = await manualPayment();
    const res = await markPaid(paymentId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'succeeded' });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    const again = await markPaid(paymentId);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('succeeded');
  });

  it('refuses mark-paid from a customer', async () => {
    const { headers, paymentId, order } = await manualPayment();
    expect((await markPaid(paymentId, headers)).statusCode).toBe(403);
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('refuses mark-paid for a cancelled order with 409', async () => {
    const { user, order, paymentId } = await manualPayment();
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, '');
    const res = await markPaid(paymentId);
    expect(res.statusCode).toBe(409);
    expect((await paymentsOfOrder(app, order.id))[0]?.status).not.toBe('succeeded');
  });

  it('records the refund of a cancelled offline-paid order and restores stock once', async () => {
    const { user, order, paymentId } = await manualPayment();
    await markPaid(paymentId);
    expect(await stockOf(app, order.variantId)).toBe(2);
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, '');
    await app.ctx.jobs.runDue();
    const rows = await app.ctx.db.select().from(refunds).where(eq(refunds.paymentId, paymentId));
    expect(rows).toMatchObject([{ status: 'succeeded', amount: 3000 }]);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(4);
  });

  it('switches an open offline attempt to another offline method instead of opening two', async () => {
    const { order, headers } = await manualPayment('bank_transfer');
    await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers,
      payload: { order_id: order.id, payment_method: 'cash_on_delivery' },
    });
    const rows = await paymentsOfOrder(app, order.id);
    expect(rows.map((p) => [p.method, p.status])).toEqual([
      ['bank_transfer', 'cancelled'],
      ['cash_on_delivery', 'pending'],
    ]);
  });

  it('answers 503 on the Stripe webhook when no webhook secret is configured', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/webhook/',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=abc' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(503);
  });
});
