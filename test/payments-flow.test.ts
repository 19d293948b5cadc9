// Cross-module flows through the real endpoints: cart -> checkout -> payment -> fulfilment or cancellation.
import { describe, expect, it } from 'vitest';
import type { App } from '../src/core/module.js';
import { makeProduct } from './factories/catalog.js';
import { placeOrder } from './factories/orders.js';
import { paymentsOfOrder, stockOf } from './factories/payments.js';
import { authHeader, makeStaff, makeUser } from './factories/users.js';
import { signPayload, stripeEvent } from './fake-stripe.js';
import { useTestApp } from './setup/test-app.js';

type Headers = Record<string, string>;

async function setStatus(app: App, staff: Headers, orderId: string, status: string) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/orders/${orderId}/status/`,
    headers: staff,
    payload: { status, note: `to ${status}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('embedded flow with the offline provider', () => {
  const { app } = useTestApp();

  it('checks out, is marked paid by staff, ships and is delivered', async () => {
    const user = await makeUser(app);
    const staff = await authHeader(app, await makeStaff(app));
    const headers = await authHeader(app, user);
    const product = await makeProduct(app, { price: 4000, variants: [{ stockQuantity: 3 }] });
    const variantId = product.variants[0]?.id as string;
    const order = await placeOrder(app, user, [{ variantId, quantity: 2 }]);
    expect(order).toMatchObject({ status: 'pending' });

    const intent = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers,
      payload: { order_id: order.id },
    });
    expect(intent.statusCode).toBe(201);
    expect(intent.json()).toMatchObject({
      provider: 'manual',
      client_secret: null,
      amount: order.total,
      currency: order.currency,
    });

    const paid = await app.inject({
      method: 'POST',
      url: `/api/v1/payments/${intent.json().payment_id}/mark-paid/`,
      headers: staff,
      payload: {},
    });
    expect(paid.json().status).toBe('succeeded');

    await setStatus(app, staff, order.id, 'processing');
    await setStatus(app, staff, order.id, 'shipped');
    const delivered = await setStatus(app, staff, order.id, 'delivered');
    expect(delivered).toMatchObject({ status: 'delivered', payment_status: 'paid' });
    const steps = delivered.status_history.map((h: { status: string }) => h.status);
    expect(steps.slice(-4)).toEqual(['paid', 'processing', 'shipped', 'delivered']);
    expect(await stockOf(app, variantId)).toBe(1);
    const mine = await app.inject({ method: 'GET', url: '/api/v1/payments/', headers });
    expect(mine.json()).toMatchObject({
      count: 1,
      results: [{ order_id: order.id, status: 'succeeded', method: 'bank_transfer' }],
    });
  });
});

describe('Stripe flow with a cancellation after payment', () => {
  const { app, stripe: fake } = useTestApp({ stripe: true });

  it('refunds the payment through Stripe and puts the stock back exactly once', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const product = await makeProduct(app, { price: 1250, variants: [{ stockQuantity: 5 }] });
    const variantId = product.variants[0]?.id as string;
    const order = await placeOrder(app, user, [{ variantId, quantity: 4 }]);
    expect(await stockOf(app, variantId)).toBe(1);

    const intent = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers,
      payload: { order_id: order.id },
    });
    expect(intent.json()).toMatchObject({ provider: 'stripe', amount: order.total });
    const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
    const event = stripeEvent('payment_intent.succeeded', { ...fake.succeed(reference) });
    const hook = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/webhook/',
      headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(event) },
      payload: event,
    });
    expect(hook.json().status).toBe('processed');

    const cancelled = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers, payload: {} });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await app.ctx.jobs.runDue();
    await app.ctx.jobs.runDue();

    const stripeRefunds = fake.requestsTo('POST', '/v1/refunds');
    expect(stripeRefunds).toHaveLength(1);
    expect(stripeRefunds[0]?.body).toMatchObject({
      payment_intent: reference,
      amount: String(Math.round(Number(order.total) * 100)),
    });
    const detail = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers });
    expect(detail.json()).toMatchObject({ status: 'cancelled', payment_status: 'refunded' });
    expect(await stockOf(app, variantId)).toBe(5);
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'refunded' });

    const again = await app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel/`, headers, payload: {} });
    expect(again.statusCode).toBe(409);
    await app.ctx.jobs.runDue();
    expect(await stockOf(app, variantId)).toBe(5);
    expect(fake.requestsTo('POST', '/v1/refunds')).toHaveLength(1);
  });

  it('refunds through Stripe when staff set a paid order to refunded, restoring stock once', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const staff = await authHeader(app, await makeStaff(app));
    const product = await makeProduct(app, { price: 900, variants: [{ stockQuantity: 2 }] });
    const variantId = product.variants[0]?.id as string;
    const order = await placeOrder(app, user, [{ variantId, quantity: 2 }]);
    const { payment_id } = (
      await app.inject({ method: 'POST', url: '/api/v1/payments/create-intent/', headers, payload: { order_id: order.id } })
    ).json();
    const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
    fake.succeed(reference);
    await app.inject({ method: 'POST', url: '/api/v1/payments/confirm/', headers, payload: { payment_id } });
    await setStatus(app, staff, order.id, 'processing');
    await setStatus(app, staff, order.id, 'refunded');
    await app.ctx.jobs.runDue();
    expect(fake.requestsTo('POST', '/v1/refunds').filter((r) => r.body.payment_intent === reference)).toHaveLength(1);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}/`, headers });
    expect(detail.json()).toMatchObject({ status: 'refunded', payment_status: 'refunded' });
    expect(await stockOf(app, variantId)).toBe(2);
  });
});
