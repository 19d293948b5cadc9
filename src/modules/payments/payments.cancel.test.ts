// A cancelled or expired order keeps no open payment: the attempt is closed in the cancelling transaction,
// the order's payment_status follows, and a Stripe intent is cancelled after commit by a job.
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { jobs } from '../../core/jobs.tables.js';
import type { App } from '../../core/module.js';
import { expireUnpaidOrder } from '../orders/orders.service.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
const OPEN = ['pending', 'requires_action', 'processing'];

async function customerWithOrder(app: App) {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user);
  return { user, order, headers: await authHeader(app, user) };
}

const createIntent = (app: App, headers: Record<string, string>, body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/payments/create-intent/', headers, payload: body });

const cancel = (app: App, orderId: string, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/cancel/`, headers, payload: {} });

async function openPayments(app: App, orderId: string) {
  return (await paymentsOfOrder(app, orderId)).filter((p) => OPEN.includes(p.status));
}

describe('offline provider', () => {
  const { app } = useTestApp();

  it('cancelling an order cancels its pending payment and the order shows unpaid', async () => {
    const { order, headers } = await customerWithOrder(app);
    expect((await createIntent(app, headers, { order_id: order.id, payment_method: 'bank_transfer' })).statusCode).toBe(201);
    expect((await orderRow(app, order.id)).paymentStatus).toBe('pending');
    const res = await cancel(app, order.id, headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', payment_status: 'unpaid' });
    expect(await openPayments(app, order.id)).toEqual([]);
    const [payment] = await paymentsOfOrder(app, order.id);
    expect(payment).toMatchObject({ status: 'cancelled', failureReason: 'The order was cancelled.' });
  });

  it('expiring an unpaid order cancels its pending payment', async () => {
    const { order, headers } = await customerWithOrder(app);
    await createIntent(app, headers, { order_id: order.id, payment_method: 'cash_on_delivery' });
    expect(await expireUnpaidOrder(app.ctx, order.id)).toBe(true);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'unpaid' });
    expect(await openPayments(app, order.id)).toEqual([]);
  });

  it("someone else's cancel is a 404 and leaves order and payment as they were", async () => {
    const { order, headers } = await customerWithOrder(app);
    await createIntent(app, headers, { order_id: order.id, payment_method: 'bank_transfer' });
    const stranger = await authHeader(app, await makeUser(app));
    expect((await cancel(app, order.id, stranger)).statusCode).toBe(404);
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'pending', paymentStatus: 'pending' });
    expect(await openPayments(app, order.id)).toHaveLength(1);
  });

  it('a payment cannot be started for an order once it is cancelled (409, nothing created)', async () => {
    const { order, headers } = await customerWithOrder(app);
    await cancel(app, order.id, headers);
    const res = await createIntent(app, headers, { order_id: order.id, payment_method: 'bank_transfer' });
    expect(res.statusCode).toBe(409);
    expect(await paymentsOfOrder(app, order.id)).toEqual([]);
  });

  it.runIf(onPostgres)(
    'a cancel racing a new payment attempt never leaves an open payment on a cancelled order',
    { timeout: 180_000 },
    async () => {
      for (let round = 0; round < 10; round++) {
        const { order, headers } = await customerWithOrder(app);
        await Promise.all([
          createIntent(app, headers, { order_id: order.id, payment_method: 'bank_transfer' }),
          cancel(app, order.id, headers),
        ]);
        await app.ctx.jobs.runDue();
        expect((await orderRow(app, order.id)).status).toBe('cancelled');
        expect(await openPayments(app, order.id)).toEqual([]);
        expect((await orderRow(app, order.id)).paymentStatus).toBe('unpaid');
      }
    },
  );
});

describe('Stripe', () => {
  const { app, stripe: fake } = useTestApp({ stripe: true });
  beforeEach(() => fake.reset());

  it('cancelling the order cancels the PaymentIntent at Stripe after commit', async () => {
    const { order, headers } = await customerWithOrder(app);
    const intent = await createIntent(app, headers, { order_id: order.id });
    expect(intent.statusCode).toBe(201);
    const [payment] = await paymentsOfOrder(app, order.id);
    const reference = payment?.providerReference as string;
    expect((await cancel(app, order.id, headers)).json()).toMatchObject({ status: 'cancelled', payment_status: 'unpaid' });
    expect(await openPayments(app, order.id)).toEqual([]);
    await app.ctx.jobs.runDue();
    expect(fake.requestsTo('POST', `/v1/payment_intents/${reference}/cancel`)).toHaveLength(1);
    expect(fake.intents.get(reference)?.status).toBe('canceled');
    // a second run (at-least-once delivery) asks Stripe nothing more
    await app.ctx.jobs.runDue();
    expect(fake.requestsTo('POST', `/v1/payment_intents/${reference}/cancel`)).toHaveLength(1);
  });

  it('an expired order gets its intent cancelled too', async () => {
    const { order, headers } = await customerWithOrder(app);
    await createIntent(app, headers, { order_id: order.id });
    const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
    expect(await expireUnpaidOrder(app.ctx, order.id)).toBe(true);
    await app.ctx.jobs.runDue();
    expect(await openPayments(app, order.id)).toEqual([]);
    expect(fake.intents.get(reference)?.status).toBe('canceled');
    expect((await orderRow(app, order.id)).paymentStatus).toBe('unpaid');
  });

  it('retries the Stripe cancel after a network failure', async () => {
    const { order, headers } = await customerWithOrder(app);
    await createIntent(app, headers, { order_id: order.id });
    const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
    fake.failNext(`/v1/payment_intents/${reference}/cancel`, 500, { type: 'api_error', message: 'boom' }, 10);
    await cancel(app, order.id, headers);
    await app.ctx.jobs.runDue();
    expect(fake.intents.get(reference)?.status).not.toBe('canceled');
    fake.reset();
    // the failed job is due again after its backoff; run it now
    await app.ctx.db.update(jobs).set({ runAt: sql`now()` }).where(sql`${jobs.type} = 'payments.cancel_order_payments'`);
    await app.ctx.jobs.runDue();
    expect(fake.intents.get(reference)?.status).toBe('canceled');
  });

  it('money the customer paid just before the cancel is captured and refunded, not lost', async () => {
    const { order, headers } = await customerWithOrder(app);
    await createIntent(app, headers, { order_id: order.id });
    const reference = (await paymentsOfOrder(app, order.id))[0]?.providerReference as string;
    fake.succeed(reference); // paid at Stripe; the webhook has not arrived yet
    await cancel(app, order.id, headers);
    await app.ctx.jobs.runDue();
    await app.ctx.jobs.runDue();
    expect(fake.refunds.filter((r) => r.payment_intent === reference)).toHaveLength(1);
    const [payment] = await paymentsOfOrder(app, order.id);
    expect(payment?.status).toBe('refunded');
    expect(await orderRow(app, order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
  });
});
