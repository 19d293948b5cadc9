import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../test/fake-stripe.js';
import { createManualProvider } from './providers/manual.js';
import { type PaymentProvider, ProviderRejected } from './providers/provider.js';
import { createStripeProvider, mapIntentStatus } from './providers/stripe.js';

let fake: FakeStripe;
let stripe: PaymentProvider;

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = createStripeProvider({ secretKey: 'sk_test_x', apiBase: fake.url });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const input = (paymentId = 'pay-1') => ({
  paymentId,
  amount: 2599,
  currency: 'EUR',
  metadata: { order_id: 'order-1', order_number: 'ORD-1' },
  idempotencyKey: `payment-${paymentId}`,
});

describe('mapping Stripe statuses', () => {
  it.each([
    ['requires_payment_method', null, 'pending'],
    ['requires_confirmation', null, 'pending'],
    ['requires_action', null, 'requires_action'],
    ['processing', null, 'processing'],
    ['succeeded', null, 'succeeded'],
    ['canceled', null, 'cancelled'],
  ] as const)('maps %s to %s', (status, error, expected) => {
    expect(mapIntentStatus({ status, last_payment_error: error })).toBe(expected);
  });

  it('maps a declined attempt (requires_payment_method with an error) to failed', () => {
    const error = { type: 'card_error', message: 'declined' } as never;
    expect(mapIntentStatus({ status: 'requires_payment_method', last_payment_error: error })).toBe('failed');
  });
});

describe('stripe provider through the official SDK', () => {
  it('creates an intent with the amount, lowercase currency, metadata and our idempotency key', async () => {
    const intent = await stripe.createIntent(input());
    expect(intent).toMatchObject({ status: 'pending', amount: 2599, currency: 'EUR' });
    expect(intent.clientSecret).toMatch(/^pi_.+_secret_/);
    const [request] = fake.requestsTo('POST', '/v1/payment_intents');
    expect(request?.idempotencyKey).toBe('payment-pay-1');
    expect(request?.authorization).toBe('Bearer sk_test_x');
    expect(request?.body).toMatchObject({
      amount: '2599',
      currency: 'eur',
      'metadata[order_id]': 'order-1',
      'metadata[order_number]': 'ORD-1',
      'metadata[payment_id]': 'pay-1',
    });
  });

  it('gets the same intent back when the create is retried with the same key', async () => {
    const first = await stripe.createIntent(input('pay-2'));
    const second = await stripe.createIntent(input('pay-2'));
    expect(second.reference).toBe(first.reference);
    expect(fake.intents.size).toBeGreaterThan(0);
    expect([...fake.intents.values()].filter((i) => i.metadata.payment_id === 'pay-2')).toHaveLength(1);
  });

  it('reads a declined intent as failed with the decline message', async () => {
    const { reference } = await stripe.createIntent(input('pay-3'));
    fake.decline(reference, 'Your card has insufficient funds.');
    const state = await stripe.retrieve(reference);
    expect(state).toMatchObject({ status: 'failed', failureReason: 'Your card has insufficient funds.' });
  });

  it('reads a 3-D Secure intent as requires_action with the next action', async () => {
    const { reference } = await stripe.createIntent(input('pay-4'));
    fake.requireAction(reference);
    const state = await stripe.retrieve(reference);
    expect(state.status).toBe('requires_action');
    expect(state.nextAction).toMatchObject({ type: 'use_stripe_sdk' });
  });

  it('refunds part of a succeeded intent with the refund idempotency key', async () => {
    const { reference } = await stripe.createIntent(input('pay-5'));
    fake.succeed(reference);
    const refund = await stripe.refund({ reference, amount: 500, currency: 'EUR', idempotencyKey: 'refund-r1', metadata: {} });
    expect(refund).toMatchObject({ status: 'succeeded' });
    const [request] = fake.requestsTo('POST', '/v1/refunds');
    expect(request).toMatchObject({ idempotencyKey: 'refund-r1', body: { payment_intent: reference, amount: '500' } });
  });

  it('turns a refusal from Stripe into ProviderRejected', async () => {
    fake.failNext('/v1/payment_intents', 402, { type: 'card_error', code: 'card_declined', message: 'Declined.' });
    await expect(stripe.createIntent(input('pay-6'))).rejects.toBeInstanceOf(ProviderRejected);
  });
});

describe('manual provider', () => {
  it('opens a pending intent without a client secret and never reports it paid by itself', async () => {
    const manual = createManualProvider();
    const intent = await manual.createIntent(input('pay-7'));
    expect(intent).toMatchObject({ reference: 'manual_pay-7', status: 'pending', clientSecret: null });
    expect((await manual.retrieve(intent.reference)).status).toBe('pending');
  });
});
