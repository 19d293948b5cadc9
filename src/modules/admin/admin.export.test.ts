// CSV exports: orders and products with the list filters, streamed in keyset batches; an orders export has
// exactly the orders of the filtered list, in its order, and a products export re-imports as updates.
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeOrderRow } from '../../../test/factories/admin.js';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import type { UserRow } from '../accounts/accounts.tables.js';
import { exportOrders } from '../orders/orders.service.js';

let staffUser: UserRow;
let staff: Record<string, string>;
let customer: Record<string, string>;

const { app } = useTestApp();
beforeAll(async () => {
  staffUser = await makeStaff(app);
  staff = await authHeader(app, staffUser);
  const buyer = await makeUser(app, { email: 'export.buyer@shop.test' });
  customer = await authHeader(app, buyer);
  const other = await makeUser(app, { email: 'someone@else.test' });
  const statuses = ['paid', 'shipped', 'paid', 'cancelled', 'paid', 'delivered', 'paid'] as const;
  for (const [i, status] of statuses.entries()) {
    await makeOrderRow(app, i % 3 === 2 ? other : buyer, {
      status,
      total: 1000 + i * 111,
      createdAt: new Date(Date.UTC(2026, 10, 10 + i, 9)),
    });
  }
});

const csvOf = (body: string) => parse(body, { columns: true, bom: true }) as Record<string, string>[];

describe('orders export', () => {
  const filters = 'status=paid&email=export.buyer&created_after=2026-11-10&created_before=2026-11-16&ordering=-total';

  it('has exactly the orders of the filtered list, in the same order, as an attachment', async () => {
    const list = (
      await app.inject({ method: 'GET', url: `/api/v1/orders/?all=true&page_size=100&${filters}`, headers: staff })
    ).json();
    expect(list.count).toBe(3);
    const res = await app.inject({ method: 'GET', url: `/api/v1/admin/orders/export/?${filters}`, headers: staff });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{8}\.csv"$/);
    const rows = csvOf(res.body);
    expect(rows.map((r) => r.id)).toEqual(list.results.map((o: { id: string }) => o.id));
    expect(rows[0]).toMatchObject({
      order_number: list.results[0].order_number,
      status: 'paid',
      email: 'export.buyer@shop.test',
      total: list.results[0].total,
      currency: 'USD',
      shipping_country: 'US',
    });
  });

  it('walks the same orders in keyset batches as the list pages show', async () => {
    const list = (
      await app.inject({ method: 'GET', url: '/api/v1/orders/?all=true&page_size=100&ordering=total', headers: staff })
    ).json();
    const ids: string[] = [];
    for await (const batch of exportOrders(
      app.ctx,
      { id: staffUser.id, isStaff: true, isSuperuser: false },
      { all: true, ordering: 'total' },
      2,
    )) {
      expect(batch.length).toBeLessThanOrEqual(2);
      ids.push(...batch.map((o) => o.id));
    }
    expect(ids).toEqual(list.results.map((o: { id: string }) => o.id));
    expect(ids).toHaveLength(7);
  });

  it('gives just the header for no match, 400 problem+json for a bad filter, 401/403 for others', async () => {
    const empty = await app.inject({ method: 'GET', url: '/api/v1/admin/orders/export/?order_number=NOPE', headers: staff });
    expect(empty.statusCode).toBe(200);
    expect(empty.body.trim()).toBe(
      'order_number,id,created_at,status,payment_status,email,user_id,currency,subtotal,discount_amount,tax_amount,shipping_cost,total,coupon_code,item_quantity,shipping_name,shipping_city,shipping_country',
    );
    const bad = await app.inject({ method: 'GET', url: '/api/v1/admin/orders/export/?created_after=soon', headers: staff });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/orders/export/' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/orders/export/', headers: customer })).statusCode).toBe(403);
  });
});

describe('products export', () => {
  it('exports one row per variant with the list filters, and re-imports as pure updates', async () => {
    const category = await makeCategory(app, { name: 'Export Cat', slug: 'export-cat' });
    const a = await makeProduct(app, {
      categoryId: category.id,
      name: 'Export, "A"',
      price: 1500,
      variants: [{}, { price: 1700, stockQuantity: 3 }],
    });
    await makeProduct(app, { categoryId: category.id, isActive: false });
    await makeProduct(app); // another category: filtered out
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/products/export/?category=export-cat', headers: staff });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="products-\d{8}\.csv"/);
    const rows = csvOf(res.body);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      product_slug: a.slug,
      product_name: 'Export, "A"',
      category_slug: 'export-cat',
      is_active: 'true',
      variant_sku: a.variants[0]?.sku,
      price: '15.00',
    });
    expect(rows[1]).toMatchObject({ variant_sku: a.variants[1]?.sku, price: '17.00', stock_quantity: '3' });
    const withInactive = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/products/export/?category=export-cat&include_inactive=true',
      headers: staff,
    });
    expect(csvOf(withInactive.body)).toHaveLength(3);

    const reimport = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/products/import/?dry_run=false',
      headers: { ...staff, 'content-type': 'text/csv' },
      payload: res.body,
    });
    expect(reimport.statusCode, reimport.body).toBe(200);
    expect(reimport.json()).toMatchObject({ products: { created: 0, updated: 1 }, variants: { created: 0, updated: 2 } });
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${a.slug}/` })).json();
    expect(detail.variants.map((v: { price: string }) => v.price)).toEqual(['15.00', '17.00']);
  });

  it('answers 400 for a bad filter and refuses customers', async () => {
    const bad = await app.inject({ method: 'GET', url: '/api/v1/admin/products/export/?min_price=cheap', headers: staff });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/products/export/', headers: customer })).statusCode).toBe(403);
  });
});
