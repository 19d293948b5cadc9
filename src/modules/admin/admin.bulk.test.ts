// Bulk product actions: one call changes many products in one transaction with one audit entry naming the
// ids, the catalog cache sees the change at once, and any bad input refuses the whole batch.
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { auditLog } from '../audit/audit.tables.js';
import { products, productVariants } from '../catalog/catalog.tables.js';

const { app, staff, customer } = useTestApp({ staff: true, customer: true });

const bulk = (payload: Record<string, unknown>, headers = staff, requestId?: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/admin/products/bulk/',
    headers: { ...headers, ...(requestId ? { 'x-request-id': requestId } : {}) },
    payload,
  });
const rows = (ids: string[]) => app.ctx.db.select().from(products).where(inArray(products.id, ids));

describe('bulk product actions', () => {
  it('unpublishes 50 selected products in one call with one audit entry listing them and one cache invalidation', async () => {
    const category = await makeCategory(app, { name: 'Bulk Fifty', slug: 'bulk-fifty' });
    const made = await Promise.all(Array.from({ length: 50 }, () => makeProduct(app, { categoryId: category.id })));
    const ids = made.map((p) => p.id);
    const listUrl = '/api/v1/products/?category=bulk-fifty&page_size=100';
    expect((await app.inject({ method: 'GET', url: listUrl })).json().count).toBe(50); // now cached
    const cacheWrites = vi.spyOn(app.ctx.cache, 'set');
    const res = await bulk({ ids, action: 'unpublish' }, staff, 'bulk-unpublish-50');
    const generationBumps = cacheWrites.mock.calls.filter(([key]) => key === 'catalog:gen').length;
    cacheWrites.mockRestore();
    expect(generationBumps).toBe(1); // the list cache is invalidated once for the batch, not per product
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ action: 'unpublish', updated: 50 });
    expect((await rows(ids)).every((r) => !r.isActive)).toBe(true);
    expect((await app.inject({ method: 'GET', url: listUrl })).json().count).toBe(0);
    let entries: (typeof auditLog.$inferSelect)[] = [];
    for (let i = 0; i < 50 && entries.length === 0; i++) {
      entries = await app.ctx.db.select().from(auditLog).where(eq(auditLog.requestId, 'bulk-unpublish-50'));
      if (!entries.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]?.route).toBe('/api/v1/admin/products/bulk/');
    expect(entries[0]?.params.action).toBe('unpublish');
    expect(entries[0]?.params.ids?.split(',').sort()).toEqual([...ids].sort());
  });

  it('publishes, features and unfeatures', async () => {
    const a = await makeProduct(app, { isActive: false });
    const b = await makeProduct(app, { isActive: false });
    const ids = [a.id, b.id];
    expect((await bulk({ ids, action: 'publish' })).statusCode).toBe(200);
    expect((await bulk({ ids, action: 'feature' })).statusCode).toBe(200);
    expect((await rows(ids)).map((r) => [r.isActive, r.isFeatured])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect((await bulk({ ids: [a.id], action: 'unfeature' })).statusCode).toBe(200);
    expect((await rows([a.id]))[0]?.isFeatured).toBe(false);
  });

  it('moves products to a category and out of any', async () => {
    const category = await makeCategory(app);
    const p = await makeProduct(app);
    expect((await bulk({ ids: [p.id], action: 'move_category', category_id: category.id })).statusCode).toBe(200);
    expect((await rows([p.id]))[0]?.categoryId).toBe(category.id);
    expect((await bulk({ ids: [p.id], action: 'move_category', category_id: null })).statusCode).toBe(200);
    expect((await rows([p.id]))[0]?.categoryId).toBeNull();
  });

  it('changes product and variant override prices by a percentage or an amount', async () => {
    const p = await makeProduct(app, { price: 1999, variants: [{ price: null }, { price: 2500 }] });
    const res = await bulk({ ids: [p.id], action: 'adjust_price', percent: '-10' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await rows([p.id]))[0]?.price).toBe(1799); // 1799.1 rounds to 1799
    const variants = await app.ctx.db.select().from(productVariants).where(eq(productVariants.productId, p.id));
    expect(variants.map((v) => v.price).sort()).toEqual([2250, null].sort());
    expect((await bulk({ ids: [p.id], action: 'adjust_price', amount: '1.01' })).statusCode).toBe(200);
    expect((await rows([p.id]))[0]?.price).toBe(1900);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${p.slug}/` })).json();
    expect(detail.price).toBe('19.00');
  });

  it('refuses the whole batch when any price would go below zero', async () => {
    const cheap = await makeProduct(app, { price: 500 });
    const dear = await makeProduct(app, { price: 5000 });
    const withCheapVariant = await makeProduct(app, { price: 5000, variants: [{ price: 100 }] });
    const res = await bulk({ ids: [cheap.id, dear.id, withCheapVariant.id], action: 'adjust_price', amount: '-10.00' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('negative_price');
    expect(res.json().errors.ids[0]).toContain(cheap.id);
    expect(res.json().errors.ids[0]).toContain(withCheapVariant.id);
    expect(res.json().errors.ids[0]).not.toContain(dear.id);
    expect((await rows([cheap.id, dear.id, withCheapVariant.id])).map((r) => r.price).sort()).toEqual([500, 5000, 5000].sort());
  });

  it('answers 400 for bad input and changes nothing', async () => {
    const p = await makeProduct(app);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: [Record<string, unknown>, string][] = [
      [{ ids: [], action: 'publish' }, 'ids'],
      [{ ids: [p.id], action: 'explode' }, 'action'],
      [{ ids: ['nope'], action: 'unpublish' }, 'ids.0'],
      [{ ids: [p.id, unknown], action: 'unpublish' }, 'ids'],
      [{ ids: [p.id], action: 'move_category' }, 'category_id'],
      [{ ids: [p.id], action: 'move_category', category_id: unknown }, 'category_id'],
      [{ ids: [p.id], action: 'adjust_price' }, 'non_field_errors'],
      [{ ids: [p.id], action: 'adjust_price', percent: '5', amount: '1.00' }, 'non_field_errors'],
      [{ ids: [p.id], action: 'adjust_price', percent: '12.345' }, 'percent'],
      [{ ids: [p.id], action: 'adjust_price', percent: '-150' }, 'percent'],
      [{ ids: [p.id], action: 'adjust_price', amount: '1.001' }, 'amount'],
    ];
    for (const [payload, field] of cases) {
      const res = await bulk(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().errors, JSON.stringify(payload)).toHaveProperty([field]);
    }
    const [row] = await rows([p.id]);
    expect(row).toMatchObject({ isActive: true, price: p.price, categoryId: null });
  });

  it('refuses anonymous callers (401) and customers (403)', async () => {
    const p = await makeProduct(app);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/admin/products/bulk/', payload: { ids: [p.id], action: 'unpublish' } }))
        .statusCode,
    ).toBe(401);
    expect((await bulk({ ids: [p.id], action: 'unpublish' }, customer)).statusCode).toBe(403);
    expect((await rows([p.id]))[0]?.isActive).toBe(true);
  });
});
