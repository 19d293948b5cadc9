// Odd input on payments endpoints answers 4xx and changes nothing, never a 500.
import { describe, expect, it } from 'vitest';
import { makePendingOrder, orderRow, paymentsOfOrder } from '../../../test/factories/payments.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';

const { app } = useTestApp({ env: { PAYMENT_PROVIDER: 'manual' } });

/** An open offline payment of a fresh order, and a staff header to act on it. */
async function offlinePayment() {
  const user = await makeUser(app);
  const order = await makePendingOrder(app, user);
  const headers = await authHeader(app, user);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/payments/create-intent/',
    headers,
    payload: { order_id: order.id },
  });
  return { order, headers, paymentId: res.json().payment_id as string, staff: await authHeader(app, await makeStaff(app)) };
}

describe('NUL characters (PostgreSQL text cannot store them)', () => {
  it('refuses a mark-paid note with a NUL with 400 and leaves the order unpaid', async () => {
    const { order, paymentId, staff } = await offlinePayment();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/mark-paid/`,
      headers: staff,
      payload: { note: 'cash\u0000' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('note');
    expect((await orderRow(app, order.id)).status).toBe('pending');
  });

  it('refuses a refund reason with a NUL with 400 and refunds nothing', async () => {
    const { order, paymentId, staff } = await offlinePayment();
    await app.inject({ method: 'POST', url: `/api/v1/payments/${paymentId}/mark-paid/`, headers: staff, payload: {} });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/refund/`,
      headers: staff,
      payload: { amount: '1.00', reason: 'oops\u0000' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('reason');
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'succeeded', refundedAmount: 0 });
  });
});

describe('numbers JSON can spell but not hold', () => {
  it('refuses a refund amount of 1e999 (Infinity) with 400 and refunds nothing', async () => {
    const { order, paymentId, staff } = await offlinePayment();
    await app.inject({ method: 'POST', url: `/api/v1/payments/${paymentId}/mark-paid/`, headers: staff, payload: {} });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/refund/`,
      headers: { ...staff, 'content-type': 'application/json' },
      payload: '{"amount": 1e999}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('amount');
    expect((await paymentsOfOrder(app, order.id))[0]).toMatchObject({ status: 'succeeded', refundedAmount: 0 });
  });
});

describe('page numbers far past the end', () => {
  it('answers 404 Invalid page on the payments list, not a database overflow', async () => {
    const { headers } = await offlinePayment();
    const res = await app.inject({ method: 'GET', url: '/api/v1/payments/?page=1000000000000000000', headers });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_page');
  });
});
