// Orders for staff: the list's filters (status, date range, email, order number, ordering), the payments
// of an order, and the orders CSV export matching the filtered list.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeOrderRow } from '../../../test/factories/admin.js';
import { makeCoupon } from '../../../test/factories/orders.js';
import { makePendingOrder } from '../../../test/factories/payments.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import type { UserRow } from '../accounts/accounts.tables.js';

let alice: UserRow;
let bob: UserRow;
let aliceHeaders: Record<string, string>;
const ids: Record<string, string> = {};

const { app, staff } = useTestApp({ staff: true });
beforeAll(async () => {
  alice = await makeUser(app, { email: 'alice.smith@shop.test' });
  bob = await makeUser(app, { email: 'bob@other.test' });
  aliceHeaders = await authHeader(app, alice);
  const at = (iso: string) => new Date(iso);
  ids.a1 = (
    await makeOrderRow(app, alice, { status: 'paid', total: 3000, createdAt: at('2026-11-01T08:00:00Z'), orderNumber: 'ORD-A1' })
  ).id;
  ids.a2 = (
    await makeOrderRow(app, alice, {
      status: 'shipped',
      total: 1000,
      createdAt: at('2026-11-02T23:59:00Z'),
      orderNumber: 'ORD-A2',
    })
  ).id;
  ids.b1 = (
    await makeOrderRow(app, bob, { status: 'paid', total: 2000, createdAt: at('2026-11-03T00:00:00Z'), orderNumber: 'ORD-B1' })
  ).id;
  ids.b2 = (
    await makeOrderRow(app, bob, {
      status: 'cancelled',
      total: 500,
      createdAt: at('2026-11-05T12:00:00Z'),
      orderNumber: 'ORD-B2',
    })
  ).id;
});

const list = async (query: string, headers = staff) => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/orders/?all=true&page_size=100&${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().results.map((o: { id: string }) => o.id) as string[];
};
const only = (found: string[]) => found.filter((id) => Object.values(ids).includes(id));

describe('staff order filters', () => {
  it('filters by customer email (case-insensitive substring) and exact order number', async () => {
    expect(only(await list('email=ALICE.SMITH'))).toEqual([ids.a2, ids.a1]);
    expect(only(await list('email=%25'))).toEqual([]); // a literal %, not a wildcard
    expect(await list('order_number=ord-b1')).toEqual([ids.b1]);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/orders/${ids.b1}/`, headers: staff })).json();
    expect(detail.email).toBe('bob@other.test');
  });

  it('treats date-only bounds as whole UTC days (before = up to the end of that day)', async () => {
    expect(only(await list('created_after=2026-11-02&created_before=2026-11-03'))).toEqual([ids.b1, ids.a2]);
    expect(only(await list('created_before=2026-11-01'))).toEqual([ids.a1]);
    expect(only(await list('created_after=2026-11-02T23:59:30Z&created_before=2026-11-05T12:00:00Z'))).toEqual([ids.b1]);
  });

  it('combines filters and orders by total or order number', async () => {
    expect(only(await list('status=paid&ordering=total'))).toEqual([ids.b1, ids.a1]);
    expect(only(await list('ordering=-total'))).toEqual([ids.a1, ids.b1, ids.a2, ids.b2]);
    expect(only(await list('ordering=order_number'))).toEqual([ids.a1, ids.a2, ids.b1, ids.b2]);
  });

  it('answers 400 for bad filter values and 403 for a customer using staff filters', async () => {
    for (const q of ['created_after=yesterday', 'created_before=2026-13-45', 'ordering=price', 'status=lost']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/orders/?all=true&${q}`, headers: staff });
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    for (const q of ['email=bob', 'order_number=ORD-B1', 'all=true']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/orders/?${q}`, headers: aliceHeaders });
      expect(res.statusCode, q).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/orders/?all=true' })).statusCode).toBe(401);
  });
});

describe('payments of an order', () => {
  it('shows staff every payment of an order, and a customer only their own', async () => {
    const order = await makePendingOrder(app, bob);
    const bobHeaders = await authHeader(app, bob);
    const intent = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers: bobHeaders,
      payload: { order_id: order.id },
    });
    expect(intent.statusCode, intent.body).toBeLessThan(300);
    const forStaff = (await app.inject({ method: 'GET', url: `/api/v1/payments/?order=${order.id}`, headers: staff })).json();
    expect(forStaff.count).toBe(1);
    expect(forStaff.results[0]).toMatchObject({ order_id: order.id, amount: '50.00', refunded_amount: '0.00' });
    const forOwner = (
      await app.inject({ method: 'GET', url: `/api/v1/payments/?order=${order.id}`, headers: bobHeaders })
    ).json();
    expect(forOwner.count).toBe(1);
    const forOther = (
      await app.inject({ method: 'GET', url: `/api/v1/payments/?order=${order.id}`, headers: aliceHeaders })
    ).json();
    expect(forOther.count).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/api/v1/payments/?order=nope', headers: staff })).statusCode).toBe(400);
  });
});

describe('coupons list for the admin', () => {
  it('searches codes, filters by active state and orders by usage', async () => {
    await makeCoupon(app, { code: 'ADMIN-LOW', usedCount: 1 });
    await makeCoupon(app, { code: 'ADMIN-HIGH', usedCount: 9 });
    await makeCoupon(app, { code: 'ADMIN-OFF', isActive: false });
    const get = async (q: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/coupons/?${q}`, headers: staff });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().results.map((c: { code: string }) => c.code);
    };
    expect(await get('search=admin-&is_active=true&ordering=-used_count')).toEqual(['ADMIN-HIGH', 'ADMIN-LOW']);
    expect(await get('search=admin-&is_active=false')).toEqual(['ADMIN-OFF']);
    expect(await get('search=admin-&ordering=code')).toEqual(['ADMIN-HIGH', 'ADMIN-LOW', 'ADMIN-OFF']);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/coupons/?ordering=value', headers: staff });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/coupons/', headers: aliceHeaders })).statusCode).toBe(403);
  });
});
