import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { invalidateProductCache } from './catalog.service.js';
import { productVariants } from './catalog.tables.js';

const { app, staff } = useTestApp({ staff: true });

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `/api/v1${url}`, headers });

describe('catalog cache', () => {
  it(`serves a repeated list page from the cache (${process.env.REDIS_URL ? 'Redis' : 'in-process'})`, async () => {
    const category = await makeCategory(app);
    await makeProduct(app, { categoryId: category.id });
    await get(`/products/?category=${category.slug}`);
    const before = app.ctx.database.stats.queries;
    const again = await get(`/products/?category=${category.slug}`);
    expect(again.json().count).toBe(1);
    expect(app.ctx.database.stats.queries - before).toBe(0);
  });

  it('builds a page once for concurrent misses of the same URL', async () => {
    const category = await makeCategory(app);
    await makeProduct(app, { categoryId: category.id });
    await get(`/products/?category=${category.slug}&page_size=7`); // warm schema/JIT paths
    const url = `/products/?category=${category.slug}&page_size=9`;
    const before = app.ctx.database.stats.queries;
    const answers = await Promise.all(Array.from({ length: 5 }, () => get(url)));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(app.ctx.database.stats.queries - before).toBeLessThanOrEqual(4);
  });

  it('counts a filter once for all its pages and orderings, and counts again after a catalog write', async () => {
    const category = await makeCategory(app);
    const first = await makeProduct(app, { categoryId: category.id });
    for (let i = 0; i < 2; i++) await makeProduct(app, { categoryId: category.id });
    const list = (query: string) => get(`/products/?category=${category.slug}&page_size=1${query}`);
    expect((await list('')).json().count).toBe(3);
    // another page and ordering of the same filter: the page statement (variants and images included), no count
    const before = app.ctx.database.stats.queries;
    expect((await list('&page=2&ordering=name')).json().count).toBe(3);
    expect(app.ctx.database.stats.queries - before).toBe(1);
    // a product written behind the API's back is not counted yet (nothing invalidated the catalog)...
    await makeProduct(app, { categoryId: category.id });
    expect((await list('&page=3&ordering=price')).json().count).toBe(3);
    // ...and any catalog write through the API counts again, for every page
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${first.slug}/`,
      headers: staff,
      payload: { price: '9.99' },
    });
    expect(patch.statusCode).toBe(200);
    expect((await list('&page=3&ordering=price')).json().count).toBe(4);
    expect((await list('&page=4&ordering=-price')).json().count).toBe(4);
  });

  it('shows a staff edit in the list and the detail at once', async () => {
    const category = await makeCategory(app);
    const product = await makeProduct(app, { categoryId: category.id, price: 1000 });
    expect((await get(`/products/?category=${category.slug}`)).json().results[0].price).toBe('10.00');
    expect((await get(`/products/${product.slug}/`)).json().price).toBe('10.00');
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { price: '12.34' },
    });
    expect(patch.statusCode).toBe(200);
    expect((await get(`/products/?category=${category.slug}`)).json().results[0].price).toBe('12.34');
    expect((await get(`/products/${product.slug}/`)).json().price).toBe('12.34');
  });

  it('drops a product from the cached list and detail when staff deactivate it', async () => {
    const category = await makeCategory(app);
    const product = await makeProduct(app, { categoryId: category.id });
    expect((await get(`/products/?category=${category.slug}`)).json().count).toBe(1);
    expect((await get(`/products/${product.slug}/`)).statusCode).toBe(200);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { is_active: false },
    });
    expect((await get(`/products/?category=${category.slug}`)).json().count).toBe(0);
    expect((await get(`/products/${product.slug}/`)).statusCode).toBe(404);
  });

  it('shows a stock change after invalidateProductCache (what orders call after commit)', async () => {
    const product = await makeProduct(app);
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(10);
    await app.ctx.db.update(productVariants).set({ stockQuantity: 3 }).where(eq(productVariants.productId, product.id));
    await invalidateProductCache(app.ctx, [product.id]);
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(3);
  });

  it('shows the stock a checkout took and a cancel gave back, in the cached detail and list', async () => {
    const product = await makeProduct(app, { name: 'Cached Kettle' });
    const listUrl = `/products/?search=${encodeURIComponent('Cached Kettle')}`;
    const stockInList = async () => (await get(listUrl)).json().results[0].stock_quantity;
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(10);
    expect(await stockInList()).toBe(10);
    const buyer = await makeUser(app);
    const order = await placeOrder(app, buyer, [{ variantId: product.variants[0]!.id, quantity: 4 }]);
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(6);
    expect(await stockInList()).toBe(6);
    const cancel = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/cancel/`,
      headers: await authHeader(app, buyer),
      payload: {},
    });
    expect(cancel.statusCode).toBe(200);
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(10);
    expect(await stockInList()).toBe(10);
  });

  it('shows the stock an expired unpaid order released, in the cached detail', async () => {
    const product = await makeProduct(app);
    const order = await placeOrder(app, await makeUser(app), [{ variantId: product.variants[0]!.id, quantity: 3 }]);
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(7);
    await app.ctx.db.execute(
      sql`UPDATE jobs SET run_at = now() WHERE type = 'orders.expire_unpaid' AND payload->>'orderId' = ${order.id}`,
    );
    await app.ctx.jobs.runDue();
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(10);
  });

  it('shows a variant edit, a review and a category rename in the cached detail', async () => {
    const category = await makeCategory(app);
    const product = await makeProduct(app, { categoryId: category.id });
    await get(`/products/${product.slug}/`);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/variants/${product.variants[0]?.id}/`,
      headers: staff,
      payload: { stock_quantity: 1 },
    });
    expect((await get(`/products/${product.slug}/`)).json().stock_quantity).toBe(1);
    const user = await authHeader(app, await makeUser(app));
    await app.inject({ method: 'POST', url: `/api/v1/products/${product.slug}/reviews/`, headers: user, payload: { rating: 2 } });
    expect((await get(`/products/${product.slug}/`)).json()).toMatchObject({ review_count: 1, average_rating: '2.00' });
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/categories/${category.slug}/`,
      headers: staff,
      payload: { name: 'Renamed' },
    });
    expect((await get(`/products/${product.slug}/`)).json().category.name).toBe('Renamed');
  });

  it('shows a new category in the cached tree at once', async () => {
    await get('/products/categories/');
    await app.inject({
      method: 'POST',
      url: '/api/v1/products/categories/',
      headers: staff,
      payload: { name: 'Fresh Category' },
    });
    const tree = (await get('/products/categories/')).json();
    expect(tree.map((c: { slug: string }) => c.slug)).toContain('fresh-category');
  });
});

describe('ETags', () => {
  it.each(['/products/', '/products/categories/'])('answers 304 to a matching If-None-Match on %s', async (url) => {
    await makeProduct(app);
    const first = await get(url);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const second = await get(url, { 'if-none-match': etag });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
  });

  it('answers 304 on a product detail and 200 with a new ETag after an edit', async () => {
    const product = await makeProduct(app);
    const etag = (await get(`/products/${product.slug}/`)).headers.etag as string;
    expect((await get(`/products/${product.slug}/`, { 'if-none-match': etag })).statusCode).toBe(304);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${product.slug}/`,
      headers: staff,
      payload: { name: 'New name' },
    });
    const after = await get(`/products/${product.slug}/`, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });
});
