import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder, stockOf } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { cancelOrder } from '../orders/orders.service.js';
import { refunds } from './payments.tables.js';
import { refundOrder } from './refunds.service.js';

const { app, stripe: fake, staff: staffHeaders } = useTestApp({ stripe: true, staff: true });
beforeEach(() => fake.reset());

/** A paid order (5 units at 20.00, stock 10 -> 5 reserved) paid through Stripe and confirm. */
async function paidOrder() {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user, { unitPrice: 2000, quantity: 5, stock: 10 });
  const headers = await authHeader(app, user);
  const { payment_id } = (
    await app.inject({ method: 'POST', url: '/api/v1/payments/create-intent/', headers, payload: { order_id: order.id } })
  ).json();
  const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
  fake.succeed(reference);
  const confirmed = await app.inject({ method: 'POST', url: '/api/v1/payments/confirm/', headers, payload: { payment_id } });
  expect(confirmed.json().status).toBe('succeeded');
  fake.reset();
  return { user, order, headers, paymentId: payment_id as string, reference };
}

function refund(paymentId: string, body: Record<string, unknown> = {}, headers: Record<string, string> = staffHeaders) {
  return app.inject({ method: 'POST', url: `/api/v1/payments/${paymentId}/refund/`, headers, payload: body });
}

const refundsOf = (paymentId: string) => app.ctx.db.select().from(refunds).where(eq(refunds.paymentId, paymentId));

describe('refund when a paid order is cancelled', () => {
  it('refunds the whole payment through Stripe and restores the stock exactly once', async () => {
    const { user, order, paymentId, reference } = await paidOrder();
    expect(await stockOf(app, order.variantId)).toBe(5);
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, 'Changed my mind');
    await app.ctx.jobs.runDue();
    await app.ctx.jobs.runDue();
    const [call, ...others] = fake.requestsTo('POST', '/v1/refunds');
    expect(others).toHaveLength(0);
    const [row] = await refundsOf(paymentId);
    expect(row).toMatchObject({ status: 'succeeded', amount: 10000 });
    expect(call).toMatchObject({
      idempotencyKey: `emporium_refund_${row?.id}`,
      body: { payment_intent: reference, amount: '10000' },
    });
    expect(fake.refunds.filter((r) => r.payment_intent === reference)).toHaveLength(1);
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'refunded', refundedAmount: 10000 });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(10);
  });

  it('refunds what is left when a partially refunded order is cancelled', async () => {
    const { user, order, paymentId } = await paidOrder();
    await refund(paymentId, { amount: '30.00' });
    fake.reset();
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, 'Changed my mind');
    await app.ctx.jobs.runDue();
    expect(fake.requestsTo('POST', '/v1/refunds').map((r) => r.body.amount)).toEqual(['7000']);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(10);
  });

  it('does not refund twice when the refund job runs again', async () => {
    const { user, order, reference } = await paidOrder();
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, '');
    await app.ctx.jobs.runDue();
    await refundOrder(app.ctx, order.id);
    expect(fake.refunds.filter((r) => r.payment_intent === reference)).toHaveLength(1);
    expect(fake.requestsTo('POST', '/v1/refunds')).toHaveLength(1);
    expect(await stockOf(app, order.variantId)).toBe(10);
  });

  it('keeps a refund that hit a Stripe outage pending and completes it later with the same idempotency key', async () => {
    const { user, order, paymentId, reference } = await paidOrder();
    fake.failNext('/v1/refunds', 500, { type: 'api_error', message: 'Stripe is down' }, 100);
    await cancelOrder(app.ctx, { id: user.id, isStaff: false, isSuperuser: false }, order.id, '');
    await app.ctx.jobs.runDue();
    const [pending] = await refundsOf(paymentId);
    expect(pending?.status).toBe('pending');
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'paid' });
    fake.reset(); // Stripe is back
    await app.ctx.jobs.handlers.get('payments.retry_refund')?.({
      id: 'manual',
      type: 'payments.retry_refund',
      payload: { refundId: pending?.id },
      attempts: 1,
    });
    const keys = fake.requestsTo('POST', '/v1/refunds').map((r) => r.idempotencyKey);
    expect(keys).toEqual([`emporium_refund_${pending?.id}`]);
    expect(fake.refunds.filter((r) => r.payment_intent === reference)).toHaveLength(1);
    expect((await refundsOf(paymentId))[0]?.status).toBe('succeeded');
    expect(await orderRow(app, order.id)).toMatchObject({ paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(10);
  });
});

describe('staff refunds', () => {
  it('refunds part of a payment: payment partially refunded, order stays paid, stock untouched', async () => {
    const { order, paymentId } = await paidOrder();
    const res = await refund(paymentId, { amount: '30.00', reason: 'Damaged box' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      amount: '30.00',
      status: 'succeeded',
      reason: 'Damaged box',
      payment_status: 'partially_refunded',
    });
    expect(fake.requestsTo('POST', '/v1/refunds')[0]?.body.amount).toBe('3000');
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'partially_refunded' });
    expect(await stockOf(app, order.variantId)).toBe(5);
  });

  it('refunds the rest after a partial refund: order refunded and stock restored once', async () => {
    const { order, paymentId } = await paidOrder();
    await refund(paymentId, { amount: '30.00' });
    const res = await refund(paymentId, {});
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ amount: '70.00', payment_status: 'refunded' });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(10);
    const again = await refund(paymentId, {});
    expect(again.statusCode).toBe(409);
    expect(await stockOf(app, order.variantId)).toBe(10);
  });

  it('refuses more than what is left to refund, without calling Stripe', async () => {
    const { paymentId } = await paidOrder();
    const res = await refund(paymentId, { amount: '100.01' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.amount[0]).toMatch(/100\.00/);
    expect(fake.requests).toHaveLength(0);
    expect(await refundsOf(paymentId)).toHaveLength(0);
  });

  it('refuses an amount with too many decimals as a field error', async () => {
    const { paymentId } = await paidOrder();
    const res = await refund(paymentId, { amount: '1.001' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('amount');
  });

  it('returns the first refund for a repeated Idempotency-Key and refunds once', async () => {
    const { paymentId } = await paidOrder();
    const headers = { ...staffHeaders, 'idempotency-key': `refund-${paymentId}` };
    const first = await refund(paymentId, { amount: '10.00' }, headers);
    const second = await refund(paymentId, { amount: '10.00' }, headers);
    expect(second.json()).toEqual(first.json());
    expect(fake.requestsTo('POST', '/v1/refunds')).toHaveLength(1);
    expect(await refundsOf(paymentId)).toHaveLength(1);
  });

  it('closes the refund as failed and answers 422 when Stripe refuses it', async () => {
    const { order, paymentId } = await paidOrder();
    fake.failNext('/v1/refunds', 400, { type: 'invalid_request_error', message: 'Charge is disputed.' });
    const res = await refund(paymentId, { amount: '10.00' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('refund_failed');
    expect((await refundsOf(paymentId))[0]).toMatchObject({ status: 'failed', failureReason: 'Charge is disputed.' });
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'succeeded', refundedAmount: 0 });
  });

  it('is for staff only', async () => {
    const { paymentId, headers } = await paidOrder();
    expect((await refund(paymentId, {}, headers)).statusCode).toBe(403);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses to refund a payment that has not succeeded', async () => {
    const user = await makeUser(app);
    const order = await makePendingOrder(app, user);
    const headers = await authHeader(app, user);
    const { payment_id } = (
      await app.inject({ method: 'POST', url: '/api/v1/payments/create-intent/', headers, payload: { order_id: order.id } })
    ).json();
    const res = await refund(payment_id, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('payment_not_refundable');
  });
});
