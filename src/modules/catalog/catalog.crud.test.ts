import { describe, expect, it } from 'vitest';
import { makeCategory, makeImage, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';

const { app, staff, customer } = useTestApp({ staff: true, customer: true });

const post = (url: string, payload: object, headers = staff) =>
  app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers });

describe('staff product CRUD', () => {
  it('creates a product with a default variant holding its stock', async () => {
    const category = await makeCategory(app);
    const res = await post('/products/', { name: 'Blue Mug', price: '12.50', category_id: category.id, stock_quantity: 7 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      slug: 'blue-mug',
      price: '12.50',
      currency: 'USD',
      stock_quantity: 7,
      category: { id: category.id },
      average_rating: '0.00',
      review_count: 0,
    });
    expect(res.json().variants).toHaveLength(1);
  });

  it('creates a product with the given variants and sums their stock', async () => {
    const res = await post('/products/', {
      name: 'Tee',
      sku: 'TEE',
      price: '20',
      variants: [
        { sku: 'TEE-S', options: { size: 'S' }, stock_quantity: 2 },
        { sku: 'TEE-L', options: { size: 'L' }, stock_quantity: 3, price: '22.00' },
      ],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().stock_quantity).toBe(5);
    expect(res.json().variants.map((v: { price: string }) => v.price)).toEqual(['20.00', '22.00']);
  });

  it('edits a product with PATCH and replaces it with PUT', async () => {
    const product = await makeProduct(app);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { price: '9.99', is_featured: true },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ price: '9.99', is_featured: true, name: product.name });
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { name: 'Renamed', price: '5.00' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'Renamed', price: '5.00' });
  });

  it('soft-deletes a product: gone for customers, row kept for staff', async () => {
    const product = await makeProduct(app);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/products/${product.slug}/`, headers: staff });
    expect(res.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/`, headers: staff })).statusCode).toBe(200);
  });

  it('adds, edits and deletes variants but keeps the last one', async () => {
    const product = await makeProduct(app);
    const created = await post(`/products/${product.slug}/variants/`, { sku: `${product.sku}-XL`, stock_quantity: 4 });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/variants/${id}/`,
      headers: staff,
      payload: { stock_quantity: 9 },
    });
    expect(patched.json().stock_quantity).toBe(9);
    const list = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/variants/` })).json();
    expect(list.count).toBe(2);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/products/${product.slug}/variants/${id}/`, headers: staff }))
        .statusCode,
    ).toBe(204);
    const last = product.variants[0]?.id;
    const refused = await app.inject({
      method: 'DELETE',
      url: `/api/v1/products/${product.slug}/variants/${last}/`,
      headers: staff,
    });
    expect(refused.statusCode).toBe(422);
  });
});

describe('bad product payloads', () => {
  it('refuses a negative price with a field error', async () => {
    const res = await post('/products/', { name: 'Bad', price: '-1.00' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('price');
  });

  it('refuses a duplicate slug', async () => {
    const product = await makeProduct(app);
    const res = await post('/products/', { name: 'Copy', slug: product.slug, price: '1.00' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.slug).toEqual(['product with this slug already exists.']);
  });

  it('refuses a duplicate variant sku and creates nothing', async () => {
    const product = await makeProduct(app);
    const res = await post('/products/', { name: 'Dup Sku', price: '1.00', variants: [{ sku: product.variants[0]?.sku }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('sku');
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/dup-sku/', headers: staff })).statusCode).toBe(404);
  });

  it('refuses an unknown category', async () => {
    const res = await post('/products/', { name: 'Lost', price: '1.00', category: 'no-such-category' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('category');
  });

  it('refuses more decimals than the currency has', async () => {
    const res = await post('/products/', { name: 'Fine', price: '1.001' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('price');
  });
});

describe('permissions', () => {
  it('refuses customers creating, editing or deleting products (403)', async () => {
    const product = await makeProduct(app);
    expect((await post('/products/', { name: 'X', price: '1' }, customer)).statusCode).toBe(403);
    const url = `/api/v1/products/${product.slug}/`;
    expect((await app.inject({ method: 'PATCH', url, headers: customer, payload: { price: '1' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url, headers: customer })).statusCode).toBe(403);
    expect((await post('/products/categories/', { name: 'X' }, customer)).statusCode).toBe(403);
  });

  it('refuses customers writing variants, categories and images (403), changing nothing', async () => {
    const product = await makeProduct(app);
    const category = await post('/products/categories/', { name: 'Staff Only Shelf' });
    const image = await makeImage(app, { productId: product.id });
    const variant = `/api/v1/products/${product.slug}/variants/${product.variants[0]!.id}/`;
    const attempts = [
      app.inject({
        method: 'POST',
        url: `/api/v1/products/${product.slug}/variants/`,
        headers: customer,
        payload: { sku: 'NOPE-1' },
      }),
      app.inject({ method: 'PATCH', url: variant, headers: customer, payload: { stock_quantity: 999 } }),
      app.inject({ method: 'DELETE', url: variant, headers: customer }),
      app.inject({
        method: 'PATCH',
        url: `/api/v1/products/categories/${category.json().slug}/`,
        headers: customer,
        payload: { name: 'Mine' },
      }),
      app.inject({ method: 'DELETE', url: `/api/v1/products/categories/${category.json().slug}/`, headers: customer }),
      app.inject({ method: 'DELETE', url: `/api/v1/products/${product.slug}/images/${image.id}/`, headers: customer }),
    ];
    expect((await Promise.all(attempts)).map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403, 403]);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail.variants.map((v: { stock_quantity: number }) => v.stock_quantity)).toEqual([10]);
    expect(detail.images).toHaveLength(1);
  });

  it('asks anonymous writers to authenticate (401)', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/products/', payload: { name: 'X', price: '1' } })).statusCode).toBe(
      401,
    );
  });
});

describe('categories', () => {
  it('returns the tree with nested children', async () => {
    const root = await post('/products/categories/', { name: 'Garden' });
    expect(root.statusCode).toBe(201);
    const child = await post('/products/categories/', { name: 'Tools', parent: 'garden' });
    await post('/products/categories/', { name: 'Spades', parent_id: child.json().id });
    const tree = (await app.inject({ method: 'GET', url: '/api/v1/products/categories/' })).json();
    const garden = tree.find((c: { slug: string }) => c.slug === 'garden');
    expect(garden.children[0].slug).toBe('tools');
    expect(garden.children[0].children[0].slug).toBe('spades');
    const detail = (await app.inject({ method: 'GET', url: '/api/v1/products/categories/tools/' })).json();
    expect(detail.children.map((c: { slug: string }) => c.slug)).toEqual(['spades']);
  });

  it('refuses moving a category under its own descendant', async () => {
    await post('/products/categories/', { name: 'Kitchen' });
    await post('/products/categories/', { name: 'Pans', parent: 'kitchen' });
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/v1/products/categories/kitchen/',
      headers: staff,
      payload: { parent: 'pans' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('parent');
  });

  it('refuses deleting a category that has subcategories, deletes a leaf', async () => {
    await post('/products/categories/', { name: 'Toys' });
    await post('/products/categories/', { name: 'Dolls', parent: 'toys' });
    const del = (slug: string) => app.inject({ method: 'DELETE', url: `/api/v1/products/categories/${slug}/`, headers: staff });
    expect((await del('toys')).statusCode).toBe(409);
    expect((await del('dolls')).statusCode).toBe(204);
    expect((await del('toys')).statusCode).toBe(204);
  });

  it('refuses a duplicate category slug', async () => {
    await post('/products/categories/', { name: 'Books' });
    const res = await post('/products/categories/', { name: 'Books' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('slug');
  });
});
