import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder, stockOf } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { signPayload, stripeEvent } from '../../../test/fake-stripe.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { jobs } from '../../core/jobs.tables.js';
import { orderStatusHistory } from '../orders/orders.tables.js';
import { countWebhookEvents } from './payments.repo.js';

const { app, stripe: fake } = useTestApp({ stripe: true });

/** A pending order with a Stripe intent (created through the API) that the fake then moves. */
async function orderWithIntent() {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user, { unitPrice: 3000, quantity: 1, stock: 5 });
  const headers = await authHeader(app, user);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/payments/create-intent/',
    headers,
    payload: { order_id: order.id },
  });
  const paymentId = res.json().payment_id as string;
  const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
  return { user, order, headers, paymentId, reference };
}

function deliver(payload: string, signature?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/payments/webhook/',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'stripe-signature': signature }) },
    payload,
  });
}

const deliverSigned = (payload: string) => deliver(payload, signPayload(payload));

const paidEmailJobs = (orderId: string) =>
  app.ctx.db
    .select()
    .from(jobs)
    .where(eq(jobs.dedupeKey, `orders.email:${orderId}:paid`));

const paidHistory = (orderId: string) =>
  app.ctx.db
    .select()
    .from(orderStatusHistory)
    .where(and(eq(orderStatusHistory.orderId, orderId), eq(orderStatusHistory.toStatus, 'paid')));

/** A refused delivery left the order and its payment pending and did not record the event. */
async function expectNothingChanged(orderId: string, payload: string) {
  expect((await orderRow(app, orderId)).status).toBe('pending');
  expect((await paymentsOfOrder(app, orderId))[0]?.status).toBe('pending');
  expect(await countWebhookEvents(app.ctx.db, JSON.parse(payload).id)).toBe(0);
}

describe('Stripe webhook signatures', () => {
  it('refuses a tampered body with 400 and changes nothing', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', fake.succeed(reference));
    const tampered = payload.replace('"amount":3000', '"amount":1');
    expect(tampered).not.toBe(payload);
    const res = await deliver(tampered, signPayload(payload));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_signature');
    await expectNothingChanged(order.id, payload);
  });

  it('refuses an event signed with another secret', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', fake.succeed(reference));
    const res = await deliver(payload, signPayload(payload, { secret: 'whsec_someone_else' }));
    expect(res.statusCode).toBe(400);
    await expectNothingChanged(order.id, payload);
  });

  it('refuses a correctly signed event with an old timestamp (replay)', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', fake.succeed(reference));
    const res = await deliver(payload, signPayload(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 }));
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/tolerance/i);
    await expectNothingChanged(order.id, payload);
  });

  it('refuses an event without a Stripe-Signature header', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', fake.succeed(reference));
    const res = await deliver(payload);
    expect(res.statusCode).toBe(400);
    await expectNothingChanged(order.id, payload);
  });
});

describe('Stripe webhook events', () => {
  it('marks the order paid once when the success event is delivered five times', async () => {
    const { order, paymentId, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', fake.succeed(reference));
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await deliverSigned(payload)).json().status);
    expect(results).toEqual(['processed', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(await paidHistory(order.id)).toHaveLength(1);
    expect(await paidEmailJobs(order.id)).toHaveLength(1);
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ id: paymentId, status: 'succeeded' });
  });

  it('records a failed payment with the reason from the event', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.payment_failed', fake.decline(reference, 'Your card was declined.'));
    expect((await deliverSigned(payload)).json().status).toBe('processed');
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({
      status: 'failed',
      failureReason: 'Your card was declined.',
    });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'pending', paymentStatus: 'failed' });
  });

  it('never moves a paid order back when an older failure or cancel event arrives late', async () => {
    const { order, reference } = await orderWithIntent();
    const failed = stripeEvent('payment_intent.payment_failed', { ...fake.decline(reference) });
    const canceled = stripeEvent('payment_intent.canceled', { ...fake.update(reference, { status: 'canceled' }) });
    const succeeded = stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) });
    await deliverSigned(succeeded);
    await deliverSigned(failed);
    await deliverSigned(canceled);
    expect((await paymentsOfOrder(app, order.id))[0]?.status).toBe('succeeded');
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
  });

  it('pays the order when the success event follows an earlier failure (customer retried the card)', async () => {
    const { order, reference } = await orderWithIntent();
    await deliverSigned(stripeEvent('payment_intent.payment_failed', { ...fake.decline(reference) }));
    await deliverSigned(stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) }));
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
  });

  it('does not pay the order when the captured amount differs from the order total', async () => {
    const { order, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference), amount: 100, amount_received: 100 });
    expect((await deliverSigned(payload)).statusCode).toBe(200);
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/staff/),
    });
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('acknowledges and ignores unknown event types', async () => {
    const payload = stripeEvent('customer.created', { id: 'cus_123', object: 'customer' });
    const res = await deliverSigned(payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, status: 'ignored' });
  });

  it('acknowledges an event for an intent it does not know', async () => {
    const res = await deliverSigned(
      stripeEvent('payment_intent.succeeded', {
        id: 'pi_unknown',
        object: 'payment_intent',
        status: 'succeeded',
        metadata: {},
        amount: 1,
        currency: 'usd',
      }),
    );
    expect(res.json()).toEqual({ received: true, status: 'ignored' });
  });

  it('applies a refund made in the Stripe dashboard: order refunded and stock back once', async () => {
    const { order, reference } = await orderWithIntent();
    await deliverSigned(stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) }));
    const before = await stockOf(app, order.variantId);
    const charge = {
      id: `ch_for_${reference}`,
      object: 'charge',
      payment_intent: reference,
      amount: 3000,
      amount_refunded: 3000,
      refunded: true,
    };
    const payload = stripeEvent('charge.refunded', charge);
    await deliverSigned(payload);
    await deliverSigned(payload);
    await deliverSigned(stripeEvent('charge.refunded', charge)); // same refund, new event id
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'refunded', refundedAmount: 3000 });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'refunded' });
    expect(await stockOf(app, order.variantId)).toBe(before + 1);
  });

  it('records a partial refund from the dashboard without refunding the order', async () => {
    const { order, reference } = await orderWithIntent();
    await deliverSigned(stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) }));
    const charge = {
      id: `ch_${reference}`,
      object: 'charge',
      payment_intent: reference,
      amount: 3000,
      amount_refunded: 1000,
      refunded: false,
    };
    await deliverSigned(stripeEvent('charge.refunded', charge));
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000 });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'partially_refunded' });
  });

  it('leaves JSON parsing of other routes alone', async () => {
    const { order, headers } = await orderWithIntent();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ order_id: order.id }),
    });
    expect(res.statusCode).toBe(200);
  });

  it.runIf(process.env.DATABASE_URL)('marks the order paid once when five deliveries race with confirm', async () => {
    const { order, headers, paymentId, reference } = await orderWithIntent();
    const payload = stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) });
    const responses = await Promise.all([
      ...Array.from({ length: 5 }, () => deliverSigned(payload)),
      app.inject({ method: 'POST', url: '/api/v1/payments/confirm/', headers, payload: { payment_id: paymentId } }),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses.slice(0, 5).filter((r) => r.json().status === 'processed')).toHaveLength(1);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(await paidHistory(order.id)).toHaveLength(1);
    expect(await paidEmailJobs(order.id)).toHaveLength(1);
  });
});
