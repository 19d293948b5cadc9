// Catalog invariants under concurrency and bad data: no category cycle (service lock + database trigger), a
// cycle that got in anyway cannot hang a public request, and a product always keeps an active variant.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeStaff } from '../../../test/factories/users.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import type { App } from '../../core/module.js';
import { categories, productVariants } from './catalog.tables.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

let app: App;
let staff: Record<string, string>;
let otherStaff: Record<string, string>;

beforeAll(async () => {
  app = await createTestApp();
  staff = await authHeader(app, await makeStaff(app));
  otherStaff = await authHeader(app, await makeStaff(app));
});
afterAll(async () => {
  await app.close();
});

const move = (slug: string, parent: string | null, headers = staff) =>
  app.inject({ method: 'PATCH', url: `/api/v1/products/categories/${slug}/`, payload: { parent }, headers });

async function parentOf(id: string): Promise<string | null> {
  const [row] = await app.ctx.db.select({ parentId: categories.parentId }).from(categories).where(eq(categories.id, id));
  return row?.parentId ?? null;
}

/** Writes parent ids with triggers off (session_replication_role), as a bad import or manual fix could. */
async function forceParents(changes: [string, string][]) {
  await app.ctx.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    for (const [id, parentId] of changes) await tx.update(categories).set({ parentId }).where(eq(categories.id, id));
  });
}

describe('category cycles', () => {
  it('refuses to move a category under its own descendant and changes nothing', async () => {
    const top = await makeCategory(app);
    const child = await makeCategory(app, { parentId: top.id });
    const res = await move(top.slug, child.slug);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.parent).toBeDefined();
    expect(await parentOf(top.id)).toBeNull();
    expect(await parentOf(child.id)).toBe(top.id);
  });

  it('refuses a cycle written straight to the database (trigger categories_no_cycle)', async () => {
    const a = await makeCategory(app);
    const b = await makeCategory(app, { parentId: a.id });
    const c = await makeCategory(app, { parentId: b.id });
    await expect(app.ctx.db.update(categories).set({ parentId: c.id }).where(eq(categories.id, a.id))).rejects.toThrow();
    await expect(app.ctx.db.update(categories).set({ parentId: a.id }).where(eq(categories.id, a.id))).rejects.toThrow();
    expect(await parentOf(a.id)).toBeNull();
  });

  it('still allows ordinary moves', async () => {
    const a = await makeCategory(app);
    const b = await makeCategory(app);
    expect((await move(b.slug, a.slug)).statusCode).toBe(200);
    expect(await parentOf(b.id)).toBe(a.id);
    expect((await move(b.slug, null)).statusCode).toBe(200);
    expect(await parentOf(b.id)).toBeNull();
  });

  it('answers product lists, the tree and moves even when a cycle is already in the data', async () => {
    const x = await makeCategory(app);
    const y = await makeCategory(app);
    const product = await makeProduct(app, { categoryId: x.id });
    await forceParents([
      [x.id, y.id],
      [y.id, x.id],
    ]);
    const list = await app.inject({ method: 'GET', url: `/api/v1/products/?category=${x.slug}` });
    expect(list.statusCode).toBe(200);
    expect(list.json().results.map((p: { id: string }) => p.id)).toEqual([product.id]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/categories/' })).statusCode).toBe(200);
    // the check of a move walks the broken subtree without looping, and a move out of it repairs the data
    const other = await makeCategory(app);
    expect((await move(other.slug, x.slug)).statusCode).toBe(200);
    expect((await move(x.slug, null)).statusCode).toBe(200);
    expect(await parentOf(x.id)).toBeNull();
  });
});

describe.runIf(onPostgres)('concurrent category moves on PostgreSQL', () => {
  it('never produce a cycle: of two opposite moves exactly one wins, the other gets a 4xx', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 20; round++) {
      const x = await makeCategory(app);
      const y = await makeCategory(app);
      const [first, second] = await Promise.all([move(x.slug, y.slug), move(y.slug, x.slug, otherStaff)]);
      const statuses = [first.statusCode, second.statusCode].sort();
      expect(statuses).toEqual([200, 400]);
      const parents = [await parentOf(x.id), await parentOf(y.id)];
      expect(parents.filter((p) => p !== null)).toHaveLength(1);
    }
  });

  it('never produce a longer cycle either (three categories moved in a ring at once)', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b, c] = [await makeCategory(app), await makeCategory(app), await makeCategory(app)];
      const results = await Promise.all([move(a.slug, b.slug), move(b.slug, c.slug), move(c.slug, a.slug)]);
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(2);
      expect(results.filter((r) => r.statusCode === 400)).toHaveLength(1);
    }
  });
});

describe('variant deletion', () => {
  const del = (slug: string, id: string, headers = staff) =>
    app.inject({ method: 'DELETE', url: `/api/v1/products/${slug}/variants/${id}/`, headers });

  async function activeVariants(productId: string) {
    const rows = await app.ctx.db.select().from(productVariants).where(eq(productVariants.productId, productId));
    return rows.filter((v) => v.isActive);
  }

  it('refuses to delete the last active variant (422) and keeps it', async () => {
    const product = await makeProduct(app);
    const res = await del(product.slug, (product.variants[0] as { id: string }).id);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('last_variant');
    expect(await activeVariants(product.id)).toHaveLength(1);
  });

  it('answers 404 for a variant of another product and deletes nothing', async () => {
    const product = await makeProduct(app, { variants: [{}, {}] });
    const other = await makeProduct(app);
    const res = await del(product.slug, (other.variants[0] as { id: string }).id);
    expect(res.statusCode).toBe(404);
    expect(await activeVariants(other.id)).toHaveLength(1);
  });

  it.runIf(onPostgres)('leaves at least one active variant when two are deleted at once', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 10; round++) {
      const product = await makeProduct(app, { variants: [{}, {}] });
      const [v1, v2] = product.variants.map((v) => v.id) as [string, string];
      const results = await Promise.all([del(product.slug, v1), del(product.slug, v2, otherStaff)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([204, 422]);
      expect(await activeVariants(product.id)).toHaveLength(1);
    }
  });

  it.runIf(onPostgres)(
    'leaves at least one active variant when a delete and a deactivation race',
    { timeout: 180_000 },
    async () => {
      for (let round = 0; round < 10; round++) {
        const product = await makeProduct(app, { variants: [{}, {}] });
        const [v1, v2] = product.variants.map((v) => v.id) as [string, string];
        await Promise.all([
          del(product.slug, v1),
          app.inject({
            method: 'PATCH',
            url: `/api/v1/products/${product.slug}/variants/${v2}/`,
            payload: { is_active: false },
            headers: otherStaff,
          }),
        ]);
        expect(await activeVariants(product.id)).toHaveLength(1);
      }
    },
  );
});
