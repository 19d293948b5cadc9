import { describe, expect, it } from 'vitest';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';

const { app, staff } = useTestApp({ staff: true });

const create = (payload: Record<string, unknown>, headers = staff) =>
  app.inject({ method: 'POST', url: '/api/v1/coupons/', headers, payload });

describe('coupons API', () => {
  it('creates a percentage coupon, upper-casing its code', async () => {
    const res = await create({
      code: 'spring-sale',
      discount_type: 'percentage',
      value: '12.5',
      minimum_subtotal: '20.00',
      usage_limit: 100,
      per_user_limit: 1,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      code: 'SPRING-SALE',
      discount_type: 'percentage',
      value: '12.50',
      minimum_subtotal: '20.00',
      usage_limit: 100,
      per_user_limit: 1,
      used_count: 0,
      is_active: true,
      currency: 'USD',
    });
  });

  it('creates a fixed coupon with a validity window', async () => {
    const res = await create({
      code: 'TENOFF',
      discount_type: 'fixed',
      value: '10.00',
      valid_from: '2026-01-01T00:00:00Z',
      valid_to: '2026-12-31T00:00:00Z',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      value: '10.00',
      valid_from: '2026-01-01T00:00:00.000Z',
      valid_to: '2026-12-31T00:00:00.000Z',
    });
  });

  it('refuses a duplicate code, a percentage over 100 and an inverted window with field errors', async () => {
    await create({ code: 'ONCE', discount_type: 'fixed', value: '1.00' });
    expect((await create({ code: 'once', discount_type: 'fixed', value: '1.00' })).json().errors.code).toBeDefined();
    expect((await create({ code: 'BIG', discount_type: 'percentage', value: '150' })).json().errors.value).toBeDefined();
    const window = await create({
      code: 'BACKWARDS',
      discount_type: 'fixed',
      value: '1',
      valid_from: '2026-02-01T00:00:00Z',
      valid_to: '2026-01-01T00:00:00Z',
    });
    expect(window.statusCode).toBe(400);
    expect(window.json().errors.valid_to).toBeDefined();
    expect((await create({ code: 'CENTS', discount_type: 'fixed', value: '1.005' })).statusCode).toBe(400);
  });

  it('lists, reads, updates and deletes coupons', async () => {
    const id = (await create({ code: 'CRUD1', discount_type: 'fixed', value: '5' })).json().id;
    const list = await app.inject({ method: 'GET', url: '/api/v1/coupons/', headers: staff });
    expect(list.json().results.map((c: { id: string }) => c.id)).toContain(id);
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/coupons/${id}/`,
      headers: staff,
      payload: { is_active: false, value: '7.50' },
    });
    expect(patch.json()).toMatchObject({ is_active: false, value: '7.50' });
    expect((await app.inject({ method: 'GET', url: `/api/v1/coupons/${id}/`, headers: staff })).json().value).toBe('7.50');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/coupons/${id}/`, headers: staff })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/coupons/${id}/`, headers: staff })).statusCode).toBe(404);
  });

  it('refuses customers and anonymous callers', async () => {
    const customer = await authHeader(app, await makeUser(app));
    expect((await create({ code: 'NOPE', discount_type: 'fixed', value: '1' }, customer)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/coupons/' })).statusCode).toBe(401);
  });
});
