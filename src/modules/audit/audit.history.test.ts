// Field-level history (migration 0019's triggers, core/audit-scope.ts): every listed change records its
// before/after values, actor and request id in its own transaction; the API shows an object's history to admins.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { makeCoupon, placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import { loadConfig } from '../../config.js';
import { runWithAuditScope } from '../../core/audit-scope.js';
import { enqueueJob } from '../../core/jobs.js';
import type { App } from '../../core/module.js';
import { products } from '../catalog/catalog.tables.js';
import { orders } from '../orders/orders.tables.js';
import { auditCleanupJob } from './audit.jobs.js';
import { deleteExpiredAudit } from './audit.service.js';
import { type AuditedObjectType, auditChanges, auditLog } from './audit.tables.js';

let app: App;
let staffId: string;
let adminId: string;
let staff: Record<string, string>;
let admin: Record<string, string>;
let customer: Record<string, string>;

beforeAll(async () => {
  app = await createTestApp();
  const staffUser = await makeStaff(app);
  staffId = staffUser.id;
  staff = await authHeader(app, staffUser);
  const adminUser = await makeUser(app, { isStaff: true, isSuperuser: true });
  adminId = adminUser.id;
  admin = await authHeader(app, adminUser);
  customer = await authHeader(app, await makeUser(app));
});
afterAll(async () => {
  await app.close();
});

/** A staff call with a request id of our own, so its history rows can be found by it. */
async function call(method: string, url: string, headers: Record<string, string>, payload?: object) {
  const requestId = `hist-${randomUUID()}`;
  const res = await app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { ...headers, 'x-request-id': requestId },
    payload,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return { res, requestId };
}

const changesOf = (objectType: AuditedObjectType, objectId: string) =>
  app.ctx.db
    .select()
    .from(auditChanges)
    .where(and(eq(auditChanges.objectType, objectType), eq(auditChanges.objectId, objectId)))
    .orderBy(auditChanges.createdAt);

const changesOfRequest = (requestId: string) =>
  app.ctx.db.select().from(auditChanges).where(eq(auditChanges.requestId, requestId)).orderBy(auditChanges.createdAt);

describe('field history of staff changes', () => {
  it('records a product edit: only the changed fields, before and after, actor and request id', async () => {
    const product = await makeProduct(app, { name: 'Old Lamp', price: 1000 });
    expect(await changesOf('product', product.id)).toEqual([]); // made outside a request: not recorded
    const { requestId } = await call('PATCH', `/products/${product.slug}/`, staff, { price: '12.50', name: 'New Lamp' });
    const rows = await changesOf('product', product.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'update',
      before: { price: 1000, name: 'Old Lamp' },
      after: { price: 1250, name: 'New Lamp' },
      actorId: staffId,
      actorKind: 'staff',
      requestId,
    });
  });

  it('records a product created and soft-deleted by staff', async () => {
    const { res, requestId } = await call('POST', '/products/', staff, { name: 'History Mug', price: '3.00' });
    const id = res.json().id as string;
    const [created] = await changesOfRequest(requestId).then((rows) => rows.filter((r) => r.objectId === id));
    expect(created).toMatchObject({ action: 'insert', before: null, actorId: staffId });
    expect(created?.after).toMatchObject({ name: 'History Mug', price: 300, is_active: true, deleted_at: null });
    const deleted = await call('DELETE', `/products/${res.json().slug}/`, staff);
    const [change] = await changesOfRequest(deleted.requestId);
    expect(change).toMatchObject({ objectType: 'product', objectId: id, before: { deleted_at: null } });
    expect(change?.after?.deleted_at).toEqual(expect.any(String));
  });

  it('records a variant’s price and stock set by staff', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 4, price: 800 }] });
    const variant = product.variants[0]!;
    const { requestId } = await call('PATCH', `/products/${product.slug}/variants/${variant.id}/`, staff, {
      price: '9.00',
      stock_quantity: 12,
    });
    expect(await changesOf('variant', variant.id)).toMatchObject([
      { before: { price: 800, stock_quantity: 4 }, after: { price: 900, stock_quantity: 12 }, actorId: staffId, requestId },
    ]);
  });

  it('records categories created and moved', async () => {
    const parent = await makeCategory(app);
    const { res } = await call('POST', '/products/categories/', staff, { name: 'History Shelf' });
    const id = res.json().id as string;
    const moved = await call('PATCH', `/products/categories/${res.json().slug}/`, staff, { parent_id: parent.id, position: 3 });
    const rows = await changesOf('category', id);
    expect(rows.map((r) => r.action)).toEqual(['insert', 'update']);
    expect(rows[1]).toMatchObject({
      before: { parent_id: null, position: 0 },
      after: { parent_id: parent.id, position: 3 },
      requestId: moved.requestId,
      actorId: staffId,
    });
  });

  it('records a coupon edit, a single statement outside a transaction, with its actor', async () => {
    const coupon = await makeCoupon(app, { isActive: true });
    const { requestId } = await call('PATCH', `/coupons/${coupon.id}/`, staff, { is_active: false });
    expect(await changesOf('coupon', coupon.id)).toMatchObject([
      { action: 'update', before: { is_active: true }, after: { is_active: false }, actorId: staffId, requestId },
    ]);
  });

  it('records staff flags and deactivation of users', async () => {
    const target = await makeUser(app);
    const deactivated = await call('PATCH', `/users/${target.id}/`, staff, { is_active: false });
    const promoted = await call('PATCH', `/users/${target.id}/`, admin, { is_staff: true });
    expect(await changesOf('user', target.id)).toMatchObject([
      { before: { is_active: true }, after: { is_active: false }, actorId: staffId, requestId: deactivated.requestId },
      { before: { is_staff: false }, after: { is_staff: true }, actorId: adminId, requestId: promoted.requestId },
    ]);
  });
});

describe('field history of orders', () => {
  it('records a checkout’s order (not its stock), a staff status change and a job’s expiry', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 5 }] });
    const variant = product.variants[0]!;
    const buyer = await makeUser(app);
    const order = await placeOrder(app, buyer, [{ variantId: variant.id, quantity: 2 }], { notes: 'leave at door' });
    const [created] = await changesOf('order', order.id);
    expect(created).toMatchObject({ action: 'insert', actorId: buyer.id, actorKind: 'customer' });
    expect(created?.after).toMatchObject({ status: 'pending', notes: 'leave at door' });
    expect(created?.after?.shipping_address).toMatchObject({ city: expect.any(String) });
    // the reservation of stock by a customer's checkout is not recorded (a row per line on every sale)
    expect(await changesOf('variant', variant.id)).toEqual([]);

    // the unpaid order expires through its job: status and stock back, attributed to the system and the job
    await app.ctx.db.execute(sql`UPDATE jobs SET run_at = now() WHERE type = 'orders.expire_unpaid'`);
    await app.ctx.jobs.runDue();
    const [expired] = (await changesOf('order', order.id)).slice(1);
    expect(expired).toMatchObject({
      before: { status: 'pending' },
      after: { status: 'cancelled' },
      actorId: null,
      actorKind: 'system',
    });
    expect(expired?.requestId).toMatch(/^job:/);
    expect(await changesOf('variant', variant.id)).toMatchObject([
      { before: { stock_quantity: 3 }, after: { stock_quantity: 5 }, actorKind: 'system', requestId: expired?.requestId },
    ]);
  });

  it('records a staff status change and address and notes edits', async () => {
    const product = await makeProduct(app);
    const order = await placeOrder(app, await makeUser(app), [{ variantId: product.variants[0]!.id }]);
    const { requestId } = await call('POST', `/orders/${order.id}/status/`, staff, { status: 'cancelled', note: 'dup' });
    const address = { ...order.shipping_address, city: 'Elsewhere' };
    // no staff route edits them yet: a single statement in a staff scope, as such a route would run it
    await runWithAuditScope({ kind: 'staff', actorId: staffId, requestId: 'fix-address' }, async () => {
      await app.ctx.db.update(orders).set({ shippingAddress: address, notes: 'call first' }).where(eq(orders.id, order.id));
    });
    const rows = (await changesOf('order', order.id)).slice(1);
    expect(rows[0]).toMatchObject({ before: { status: 'pending' }, after: { status: 'cancelled' }, actorId: staffId, requestId });
    expect(rows[1]).toMatchObject({ actorId: staffId, requestId: 'fix-address', after: { notes: 'call first' } });
    expect(rows[1]?.after?.shipping_address).toMatchObject({ city: 'Elsewhere' });
    expect(rows[1]?.before).toHaveProperty('notes', '');
  });
});

describe('what is not recorded', () => {
  it('keeps no history of a rolled-back change', async () => {
    const product = await makeProduct(app);
    await expect(
      runWithAuditScope({ kind: 'staff', actorId: staffId, requestId: 'rolled-back' }, () =>
        app.ctx.db.transaction(async (tx) => {
          await tx.update(products).set({ name: 'Never' }).where(eq(products.id, product.id));
          expect(await tx.select().from(auditChanges).where(eq(auditChanges.requestId, 'rolled-back'))).toHaveLength(1);
          throw new Error('changed my mind');
        }),
      ),
    ).rejects.toThrow('changed my mind');
    expect(await changesOfRequest('rolled-back')).toEqual([]);
    expect(await changesOf('product', product.id)).toEqual([]);
  });

  it('keeps no history of a refused staff change', async () => {
    const taken = await makeProduct(app);
    const product = await makeProduct(app);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: { ...staff, 'x-request-id': 'refused-slug' },
      payload: { slug: taken.slug, name: 'Clash' },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await changesOfRequest('refused-slug')).toEqual([]);
  });

  it('records nothing outside a request or job (seed, CLI)', async () => {
    const product = await makeProduct(app);
    await app.ctx.db.update(products).set({ name: 'Seeded' }).where(eq(products.id, product.id));
    expect(await changesOf('product', product.id)).toEqual([]);
  });
});

describe('GET /audit-log/ with object_type and object_id', () => {
  it('shows one object’s history to admins, newest first, with the route-level trail still there', async () => {
    const product = await makeProduct(app, { price: 100 });
    const first = await call('PATCH', `/products/${product.slug}/`, staff, { price: '2.00' });
    const second = await call('PATCH', `/products/${product.slug}/`, staff, { price: '3.00' });
    await makeProduct(app).then((other) => call('PATCH', `/products/${other.slug}/`, staff, { price: '4.00' }));

    const { res } = await call('GET', `/audit-log/?object_type=product&object_id=${product.id}`, admin);
    const body = res.json();
    expect(body.count).toBe(2);
    expect(body.results).toEqual([
      {
        entry_type: 'change',
        id: expect.any(String),
        object_type: 'product',
        object_id: product.id,
        action: 'update',
        before: { price: 200 },
        after: { price: 300 },
        actor_id: staffId,
        actor_kind: 'staff',
        request_id: second.requestId,
        created_at: expect.any(String),
      },
      expect.objectContaining({ before: { price: 100 }, after: { price: 200 }, request_id: first.requestId }),
    ]);

    // the route-level entry of the same request, found by its request id (written after the response)
    let trail: { results: Record<string, unknown>[] } = { results: [] };
    for (let i = 0; i < 50 && !trail.results.length; i++) {
      trail = (await call('GET', `/audit-log/?request_id=${second.requestId}`, admin)).res.json();
      if (!trail.results.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(trail.results).toEqual([
      expect.objectContaining({ entry_type: 'request', method: 'PATCH', route: '/api/v1/products/:slug/', actor_id: staffId }),
    ]);

    const ofType = (await call('GET', '/audit-log/?object_type=product&page_size=100', admin)).res.json();
    expect(ofType.count).toBeGreaterThanOrEqual(3);
    expect(ofType.results.every((r: { object_type: string }) => r.object_type === 'product')).toBe(true);
  });

  it('is for admins only', async () => {
    const url = `/api/v1/audit-log/?object_type=product&object_id=${randomUUID()}`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url, headers: customer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url, headers: staff })).statusCode).toBe(403);
  });

  it.each([
    ['an unknown object type', 'object_type=wishlist'],
    ['an object id that is not a uuid', 'object_type=product&object_id=42'],
    ['an object id without its type', `object_id=${randomUUID()}`],
    ['a route filter with an object type', 'object_type=order&route=/api/v1/orders/'],
  ])('answers 400 to %s', async (_name, query) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/audit-log/?${query}`, headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('retention', () => {
  it('the daily cleanup deletes history and trail entries older than AUDIT_RETENTION_DAYS, and keeps the rest', async () => {
    const old = new Date(Date.now() - 400 * 24 * 3600 * 1000);
    const objectId = randomUUID();
    const change = { objectType: 'product' as const, objectId, action: 'update' as const, actorKind: 'system' as const };
    await app.ctx.db.insert(auditChanges).values([
      { ...change, requestId: 'retention-old', createdAt: old },
      { ...change, requestId: 'retention-new' },
    ]);
    const entry = { actorId: staffId, method: 'PATCH', route: '/x/', path: '/x/', params: {}, statusCode: 200, ip: '::1' };
    await app.ctx.db.insert(auditLog).values([
      { ...entry, requestId: 'retention-old', createdAt: old },
      { ...entry, requestId: 'retention-new' },
    ]);
    expect(app.ctx.config.auditRetentionDays).toBe(365);
    await enqueueJob(app.ctx.db, auditCleanupJob, {});
    await app.ctx.jobs.runDue();
    const left = await app.ctx.db.select().from(auditChanges).where(eq(auditChanges.objectId, objectId));
    expect(left.map((r) => r.requestId)).toEqual(['retention-new']);
    const trail = await app.ctx.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.requestId} in ('retention-old', 'retention-new')`);
    expect(trail.map((r) => r.requestId)).toEqual(['retention-new']);
  });

  it('keeps everything with AUDIT_RETENTION_DAYS=0, and refuses a negative value at start', async () => {
    const objectId = randomUUID();
    await app.ctx.db.insert(auditChanges).values({
      objectType: 'coupon',
      objectId,
      action: 'delete',
      actorKind: 'system',
      requestId: 'retention-forever',
      createdAt: new Date(Date.now() - 5000 * 24 * 3600 * 1000),
    });
    const forever = { ...app.ctx, config: { ...app.ctx.config, auditRetentionDays: 0 } };
    expect(await deleteExpiredAudit(forever)).toEqual({ entries: 0, changes: 0 });
    expect(await app.ctx.db.select().from(auditChanges).where(eq(auditChanges.objectId, objectId))).toHaveLength(1);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '0' }).auditRetentionDays).toBe(0);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '-1' })).toThrow(/AUDIT_RETENTION_DAYS/);
  });
});
