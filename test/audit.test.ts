// The audit trail: staff changes through the API are recorded (who, route, ids, request id), reads and
// customers' own actions are not, and only admins can read the trail.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/modules/audit/audit.tables.js';
import { makeProduct } from './factories/catalog.js';
import { authHeader, makeStaff, makeUser } from './factories/users.js';
import { useTestApp } from './setup/test-app.js';

let staffId: string;
let staff: Record<string, string>;
let admin: Record<string, string>;

const { app } = useTestApp();
beforeAll(async () => {
  const staffUser = await makeStaff(app);
  staffId = staffUser.id;
  staff = await authHeader(app, staffUser);
  admin = await authHeader(app, await makeUser(app, { isStaff: true, isSuperuser: true }));
});

/** The entry is written after the response is sent, so give it a moment to land. */
async function entriesFor(requestId: string) {
  for (let i = 0; i < 50; i++) {
    const rows = await app.ctx.db.select().from(auditLog).where(eq(auditLog.requestId, requestId));
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  return [];
}

describe('audit trail', () => {
  it('records a staff change with the actor, route, ids and request id', async () => {
    const product = await makeProduct(app);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: { ...staff, 'x-request-id': 'audit-patch-1' },
      payload: { is_featured: true },
    });
    expect(res.statusCode).toBe(200);
    const [entry] = await entriesFor('audit-patch-1');
    expect(entry).toMatchObject({
      actorId: staffId,
      method: 'PATCH',
      route: '/api/v1/products/:slug/',
      path: `/api/v1/products/${product.slug}/`,
      params: { slug: product.slug },
      statusCode: 200,
    });
  });

  it('records nothing for reads, refused changes or customers', async () => {
    const customer = await authHeader(app, await makeUser(app));
    await app.inject({ method: 'GET', url: '/api/v1/products/', headers: { ...staff, 'x-request-id': 'audit-read' } });
    await app.inject({
      method: 'POST',
      url: '/api/v1/products/categories/',
      headers: { ...staff, 'x-request-id': 'audit-bad' },
      payload: { name: '' },
    });
    await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: { ...customer, 'x-request-id': 'audit-customer' } });
    await app.inject({
      method: 'POST',
      url: '/api/v1/products/categories/',
      headers: { ...staff, 'x-request-id': 'audit-marker' },
      payload: { name: 'Marker' },
    });
    expect(await entriesFor('audit-marker')).toHaveLength(1); // later than the others, so they had time to land
    for (const id of ['audit-read', 'audit-bad', 'audit-customer']) {
      expect(await app.ctx.db.select().from(auditLog).where(eq(auditLog.requestId, id))).toEqual([]);
    }
  });

  it('lets admins read the trail newest first, filtered by actor', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/audit-log/?actor=${staffId}`, headers: admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBeGreaterThanOrEqual(2);
    expect(body.results.every((e: { actor_id: string }) => e.actor_id === staffId)).toBe(true);
    expect(body.results[0].route).toBe('/api/v1/products/categories/');
  });

  it('refuses the trail to staff who are not admins, customers and anonymous callers', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit-log/', headers: staff })).statusCode).toBe(403);
    const customer = await authHeader(app, await makeUser(app));
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit-log/', headers: customer })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit-log/' })).statusCode).toBe(401);
  });

  it('answers a bad filter with a 400 field error', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/audit-log/?actor=nope&since=yesterday', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['actor', 'since']);
  });
});
