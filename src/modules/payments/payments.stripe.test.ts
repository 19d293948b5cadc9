import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { jobs } from '../../core/jobs.tables.js';
import { orderStatusHistory } from '../orders/orders.tables.js';

const { app, stripe: fake } = useTestApp({ stripe: true });
beforeEach(() => fake.reset());

async function customerWithOrder(options: Parameters<typeof makePendingOrder>[2] = {}) {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user, options);
  return { user, order, headers: await authHeader(app, user) };
}

async function createIntent(headers: Record<string, string>, body: Record<string, unknown>, extra: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/payments/create-intent/', headers: { ...headers, ...extra }, payload: body });
}

async function confirm(headers: Record<string, string>, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/v1/payments/confirm/', headers, payload: body });
}

const paidHistory = (orderId: string) =>
  app.ctx.db
    .select()
    .from(orderStatusHistory)
    .where(and(eq(orderStatusHistory.orderId, orderId), eq(orderStatusHistory.toStatus, 'paid')));

describe('create-intent with Stripe', () => {
  it('creates an intent for the order total in its currency with metadata and a key derived from the payment id', async () => {
    const { order, headers } = await customerWithOrder({ unitPrice: 2500, quantity: 2 });
    const res = await createIntent(headers, { order_id: order.id });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ provider: 'stripe', amount: '50.00', currency: 'USD', status: 'pending' });
    expect(body.client_secret).toMatch(/_secret_/);
    const [request] = fake.requestsTo('POST', '/v1/payment_intents');
    expect(request?.idempotencyKey).toBe(`emporium_payment_${body.payment_id}`);
    expect(request?.body).toMatchObject({
      amount: '5000',
      currency: 'usd',
      'metadata[order_id]': order.id,
      'metadata[order_number]': order.orderNumber,
      'metadata[payment_id]': body.payment_id,
    });
    expect((await orderRow(app, order.id)).paymentStatus).toBe('pending');
  });

  it('takes the amount from the order, never from the client', async () => {
    const { order, headers } = await customerWithOrder({ unitPrice: 1999, quantity: 1 });
    const res = await createIntent(headers, { order_id: order.id, amount: '0.01', currency: 'JPY' });
    expect(res.json()).toMatchObject({ amount: '19.99', currency: 'USD' });
    expect(fake.requestsTo('POST', '/v1/payment_intents')[0]?.body).toMatchObject({ amount: '1999', currency: 'usd' });
  });

  it('uses the currency of the order for the intent', async () => {
    const { order, headers } = await customerWithOrder({ unitPrice: 1200, quantity: 1, currency: 'EUR' });
    const res = await createIntent(headers, { order_id: order.id });
    expect(res.json()).toMatchObject({ amount: '12.00', currency: 'EUR' });
    expect(fake.requestsTo('POST', '/v1/payment_intents')[0]?.body.currency).toBe('eur');
  });

  it('reuses the open intent when asked again for the same order', async () => {
    const { order, headers } = await customerWithOrder();
    const first = (await createIntent(headers, { order_id: order.id })).json();
    const again = await createIntent(headers, { order_id: order.id });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ payment_id: first.payment_id, client_secret: first.client_secret });
    expect(fake.requestsTo('POST', '/v1/payment_intents')).toHaveLength(1);
    expect(await paymentsOfOrder(app, order.id)).toHaveLength(1);
  });

  it('replays the first response for a repeated Idempotency-Key without calling Stripe again', async () => {
    const { order, headers } = await customerWithOrder();
    const key = { 'idempotency-key': `ik-${order.id}` };
    const first = await createIntent(headers, { order_id: order.id }, key);
    const second = await createIntent(headers, { order_id: order.id }, key);
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.json()).toEqual(first.json());
    expect(fake.requests).toHaveLength(1);
  });

  it('opens a new attempt after the previous intent was declined', async () => {
    const { order, headers } = await customerWithOrder();
    const first = (await createIntent(headers, { order_id: order.id })).json();
    fake.decline((await paymentsOfOrder(app, order.id))[0]?.providerReference as string);
    const second = await createIntent(headers, { order_id: order.id });
    expect(second.statusCode).toBe(201);
    expect(second.json().payment_id).not.toBe(first.payment_id);
    expect((await paymentsOfOrder(app, order.id)).map((p) => p.status)).toEqual(['failed', 'pending']);
  });

  it('answers 404 for the order of another user', async () => {
    const { order } = await customerWithOrder();
    const stranger = await makeUser(app);
    const res = await createIntent(await authHeader(app, stranger), { order_id: order.id });
    expect(res.statusCode).toBe(404);
    expect(fake.requests).toHaveLength(0);
    expect(await paymentsOfOrder(app, order.id)).toHaveLength(0);
  });

  it('refuses a new intent for a paid order with 409', async () => {
    const { order, headers } = await customerWithOrder();
    const { payment_id } = (await createIntent(headers, { order_id: order.id })).json();
    fake.succeed((await paymentsOfOrder(app, order.id))[0]?.providerReference as string);
    expect((await confirm(headers, { payment_id })).statusCode).toBe(200);
    fake.reset();
    const res = await createIntent(headers, { order_id: order.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('order_already_paid');
    expect(fake.requests).toHaveLength(0);
  });

  it('closes the attempt and answers 402 when Stripe refuses to create the intent', async () => {
    const { order, headers } = await customerWithOrder();
    fake.failNext('/v1/payment_intents', 400, { type: 'invalid_request_error', message: 'Amount too small.' });
    const res = await createIntent(headers, { order_id: order.id });
    expect(res.statusCode).toBe(402);
    const [payment] = await paymentsOfOrder(app, order.id);
    expect(payment).toMatchObject({ status: 'failed', failureReason: 'Amount too small.' });
  });

  it('refuses an offline method when Stripe is the provider', async () => {
    const { order, headers } = await customerWithOrder();
    const res = await createIntent(headers, { order_id: order.id, payment_method: 'bank_transfer' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('payment_method');
    expect(await paymentsOfOrder(app, order.id)).toHaveLength(0);
  });

  it.runIf(process.env.DATABASE_URL)('makes one payment and one intent for concurrent create-intent calls', async () => {
    const { order, headers } = await customerWithOrder();
    const responses = await Promise.all(Array.from({ length: 4 }, () => createIntent(headers, { order_id: order.id })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.json().payment_id)).size).toBe(1);
    expect(new Set(responses.map((r) => r.json().client_secret)).size).toBe(1);
    expect(await paymentsOfOrder(app, order.id)).toHaveLength(1);
    const intents = [...fake.intents.values()].filter((i) => i.metadata.order_id === order.id);
    expect(intents).toHaveLength(1);
  });

  it('requires a logged-in user', async () => {
    const { order } = await customerWithOrder();
    expect((await createIntent({}, { order_id: order.id })).statusCode).toBe(401);
  });
});

describe('confirm with Stripe', () => {
  async function intentFor() {
    const ctx = await customerWithOrder();
    const body = (await createIntent(ctx.headers, { order_id: ctx.order.id })).json();
    const reference = (await paymentsOfOrder(app, ctx.order.id))[0]?.providerReference as string;
    return { ...ctx, paymentId: body.payment_id as string, reference };
  }

  it('marks the payment succeeded and the order paid, with history and the order-paid email job', async () => {
    const { order, headers, paymentId, reference } = await intentFor();
    fake.succeed(reference);
    const res = await confirm(headers, { payment_id: paymentId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: paymentId, status: 'succeeded', amount: '50.00' });
    expect(fake.requestsTo('GET', `/v1/payment_intents/${reference}`)).toHaveLength(1);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' });
    expect(await paidHistory(order.id)).toHaveLength(1);
    const emailJobs = await app.ctx.db
      .select()
      .from(jobs)
      .where(eq(jobs.dedupeKey, `orders.email:${order.id}:paid`));
    expect(emailJobs).toHaveLength(1);
  });

  it('never trusts a status sent by the client', async () => {
    const { order, headers, paymentId } = await intentFor();
    const res = await confirm(headers, { payment_id: paymentId, status: 'succeeded' });
    expect(res.json().status).toBe('pending');
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('records a declined payment and answers 402 with the reason', async () => {
    const { order, headers, paymentId, reference } = await intentFor();
    fake.decline(reference, 'Your card has insufficient funds.');
    const res = await confirm(headers, { payment_id: paymentId });
    expect(res.statusCode).toBe(402);
    expect(res.json()).toMatchObject({ code: 'payment_failed', detail: 'Your card has insufficient funds.' });
    const [payment] = await paymentsOfOrder(app, order.id);
    expect(payment).toMatchObject({ status: 'failed', failureReason: 'Your card has insufficient funds.' });
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'pending', paymentStatus: 'failed' });
  });

  it('reports 3-D Secure as requires_action with the next action, leaving the order pending', async () => {
    const { order, headers, paymentId, reference } = await intentFor();
    fake.requireAction(reference);
    const res = await confirm(headers, { payment_id: paymentId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('marks the order paid only once when confirm is repeated', async () => {
    const { order, headers, paymentId, reference } = await intentFor();
    fake.succeed(reference);
    await confirm(headers, { payment_id: paymentId });
    const again = await confirm(headers, { payment_id: paymentId });
    expect(again.json().status).toBe('succeeded');
    expect(await paidHistory(order.id)).toHaveLength(1);
  });

  it('answers 404 for the payment of another user, on confirm and on read', async () => {
    const { paymentId } = await intentFor();
    const stranger = await authHeader(app, await makeUser(app));
    expect((await confirm(stranger, { payment_id: paymentId })).statusCode).toBe(404);
    const read = await app.inject({ method: 'GET', url: `/api/v1/payments/${paymentId}/`, headers: stranger });
    expect(read.statusCode).toBe(404);
  });
});

describe('listing payments', () => {
  it('lists only the caller’s own payments, paginated', async () => {
    const { order, headers } = await customerWithOrder();
    await createIntent(headers, { order_id: order.id });
    const other = await customerWithOrder();
    await createIntent(other.headers, { order_id: other.order.id });
    const res = await app.inject({ method: 'GET', url: '/api/v1/payments/?page_size=10', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 1, next: null });
    expect(res.json().results[0]).toMatchObject({ order_id: order.id, provider: 'stripe', status: 'pending' });
  });
});
