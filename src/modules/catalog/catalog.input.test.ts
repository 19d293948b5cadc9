// Input that passes the schemas but PostgreSQL cannot take (NUL characters, integers past `integer`,
// hand-made cursors) gets a 400/404 with field errors and changes nothing, never a 500.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { products } from './catalog.tables.js';

const { app, staff } = useTestApp({ staff: true });

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('input PostgreSQL cannot store', () => {
  it('refuses a NUL character in a product field with a field error and creates nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/products/',
      headers: staff,
      payload: { name: 'Nul', slug: 'nul-product', price: '1.00', description: 'a\u0000b' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.description).toEqual(['Null characters are not allowed.']);
    expect(await app.ctx.db.select().from(products).where(eq(products.slug, 'nul-product'))).toHaveLength(0);
  });

  it('refuses a NUL character in a path slug and in a search query', async () => {
    const detail = await app.inject({ method: 'GET', url: '/api/v1/products/a%00b/' });
    expect(detail.statusCode).toBe(400);
    expect(detail.json().errors.slug).toBeDefined();
    const search = await app.inject({ method: 'GET', url: '/api/v1/products/?search=oak%00' });
    expect(search.statusCode).toBe(400);
    expect(search.json().errors.search).toBeDefined();
  });

  it('refuses a price beyond what an integer column holds with a field error', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/products/',
      headers: staff,
      payload: { name: 'Too dear', price: 1_000_000_000 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.price[0]).toContain('less than or equal to');
  });

  it('refuses a stock quantity over a billion, and "1e999", with field errors', async () => {
    const product = await makeProduct(app);
    for (const stock of ['99999999999999', '1e999']) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/products/${product.slug}/variants/`,
        headers: staff,
        payload: { sku: `${product.sku}-BIG`, stock_quantity: stock },
      });
      expect(res.statusCode, stock).toBe(400);
      expect(res.json().errors.stock_quantity).toBeDefined();
    }
  });

  it('refuses a review rating of "1e999" instead of storing Infinity', async () => {
    const product = await makeProduct(app);
    const user = await authHeader(app, await makeUser(app));
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/reviews/`,
      headers: user,
      payload: { rating: '1e999', title: 'x', body: 'y' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.rating).toBeDefined();
  });
});

describe('hand-made cursors', () => {
  it.each([
    ['a key that is not a uuid', { k: '-'.repeat(36) }],
    ['an offset beyond bigint', { o: 1e300 }],
  ])('answers 404 invalid_cursor for %s', async (_name, cursor) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/products/?search=oak&cursor=${cursorOf(cursor)}` });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_cursor');
    const plain = await app.inject({ method: 'GET', url: `/api/v1/products/?cursor=${cursorOf(cursor)}` });
    expect(plain.statusCode).toBe(404);
  });
});
