// Products for staff: inactive and deleted products in the staff list with filters, restore after a soft
// delete, image edits and reordering.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeImage, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { productImages, products } from '../catalog/catalog.tables.js';

const { app, staff, customer } = useTestApp({ staff: true, customer: true });

const slugsOf = async (url: string, headers?: Record<string, string>) => {
  const res = await app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().results.map((p: { slug: string }) => p.slug) as string[];
};

describe('staff product list', () => {
  it('shows inactive and deleted products to staff only, filterable by is_active and is_deleted', async () => {
    const name = 'Zeta Filter Widget';
    const live = await makeProduct(app, { name: `${name} live` });
    const hidden = await makeProduct(app, { name: `${name} inactive`, isActive: false });
    const gone = await makeProduct(app, { name: `${name} deleted`, deletedAt: new Date() });
    const base = '/api/v1/products/?page_size=100&search=zeta';
    expect(await slugsOf(`${base}&include_inactive=true`, customer)).toEqual([live.slug]);
    expect((await slugsOf(`${base}&include_inactive=true`, staff)).sort()).toEqual([live.slug, hidden.slug, gone.slug].sort());
    expect(await slugsOf(`${base}&include_inactive=true&is_active=false`, staff)).toEqual([hidden.slug]);
    expect(await slugsOf(`${base}&include_inactive=true&is_deleted=true`, staff)).toEqual([gone.slug]);
    expect((await slugsOf(`${base}&include_inactive=true&is_deleted=false`, staff)).sort()).toEqual(
      [live.slug, hidden.slug].sort(),
    );
    const list = (
      await app.inject({ method: 'GET', url: `${base}&include_inactive=true&is_deleted=true`, headers: staff })
    ).json();
    expect(list.results[0].deleted_at).toEqual(expect.any(String));
  });
});

describe('restore', () => {
  it('brings a soft-deleted product back for customers', async () => {
    const product = await makeProduct(app);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/products/${product.slug}/`, headers: staff })).statusCode).toBe(
      204,
    );
    expect((await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).statusCode).toBe(404);
    const res = await app.inject({ method: 'POST', url: `/api/v1/products/${product.slug}/restore/`, headers: staff });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: product.slug, deleted_at: null });
    const publicDetail = await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` });
    expect(publicDetail.statusCode).toBe(200);
    expect(publicDetail.json().deleted_at).toBeNull();
  });

  it('refuses anonymous callers and customers, 404 for an unknown product', async () => {
    const product = await makeProduct(app, { deletedAt: new Date() });
    const url = `/api/v1/products/${product.slug}/restore/`;
    expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url, headers: customer })).statusCode).toBe(403);
    const [row] = await app.ctx.db.select().from(products).where(eq(products.id, product.id));
    expect(row?.deletedAt).not.toBeNull();
    expect((await app.inject({ method: 'POST', url: '/api/v1/products/no-such/restore/', headers: staff })).statusCode).toBe(404);
  });
});

describe('images', () => {
  async function productWithImages() {
    const product = await makeProduct(app);
    const a = await makeImage(app, { productId: product.id, position: 0, isPrimary: true });
    const b = await makeImage(app, { productId: product.id, position: 1 });
    const c = await makeImage(app, { productId: product.id, position: 2 });
    return { product, a, b, c };
  }
  const detailImages = async (slug: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/products/${slug}/` })).json().images as {
      id: string;
      position: number;
      is_primary: boolean;
    }[];

  it('reorders every image; the first becomes primary and customers see the new order', async () => {
    const { product, a, b, c } = await productWithImages();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/images/reorder/`,
      headers: staff,
      payload: { ids: [c.id, a.id, b.id] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results.map((i: { id: string }) => i.id)).toEqual([c.id, a.id, b.id]);
    const images = await detailImages(product.slug);
    expect(images.map((i) => [i.id, i.position, i.is_primary])).toEqual([
      [c.id, 0, true],
      [a.id, 1, false],
      [b.id, 2, false],
    ]);
  });

  it('refuses a reorder that leaves out or adds images, changing nothing', async () => {
    const { product, a, b, c } = await productWithImages();
    const other = await makeImage(app, { productId: (await makeProduct(app)).id });
    for (const ids of [
      [b.id, a.id],
      [c.id, b.id, a.id, other.id],
      [a.id, a.id, b.id],
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/products/${product.slug}/images/reorder/`,
        headers: staff,
        payload: { ids },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toHaveProperty('ids');
    }
    const rows = await app.ctx.db.select().from(productImages).where(eq(productImages.productId, product.id));
    expect(rows.map((r) => [r.id, r.position]).sort()).toEqual(
      [
        [a.id, 0],
        [b.id, 1],
        [c.id, 2],
      ].sort(),
    );
  });

  it('edits one image: position, alt text, primary', async () => {
    const { product, a, c } = await productWithImages();
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/images/${c.id}/`,
      headers: staff,
      payload: { alt_text: 'Side view', is_primary: true, position: 7 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: c.id, alt_text: 'Side view', is_primary: true, position: 7 });
    const images = await detailImages(product.slug);
    expect(images[0]?.id).toBe(c.id);
    expect(images.find((i) => i.id === a.id)?.is_primary).toBe(false);
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/images/${c.id}/`,
      headers: staff,
      payload: { position: -1 },
    });
    expect(bad.statusCode).toBe(400);
    const forbidden = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/images/${c.id}/`,
      headers: customer,
      payload: { position: 1 },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
