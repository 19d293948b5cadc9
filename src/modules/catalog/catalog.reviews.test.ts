import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { placeOrder } from '../../../test/factories/orders.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';

const { app } = useTestApp();

const review = (slug: string, headers: Record<string, string>, payload: object) =>
  app.inject({ method: 'POST', url: `/api/v1/products/${slug}/reviews/`, headers, payload });

describe('reviews', () => {
  it('keeps average_rating and review_count on the product as reviews arrive', async () => {
    const product = await makeProduct(app);
    for (const rating of [5, 4, 4]) {
      const res = await review(product.slug, await authHeader(app, await makeUser(app)), { rating, title: 'ok' });
      expect(res.statusCode).toBe(201);
    }
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail).toMatchObject({ average_rating: '4.33', review_count: 3 });
  });

  it('lists reviews publicly, newest first, paginated', async () => {
    const product = await makeProduct(app);
    const user = await makeUser(app, { firstName: 'Casey', lastName: 'Customer' });
    await review(product.slug, await authHeader(app, user), { rating: 3, title: 'Fine', body: 'Does the job.' });
    const res = await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/reviews/` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 1, next: null, previous: null });
    expect(res.json().results[0]).toMatchObject({ rating: 3, title: 'Fine', user_id: user.id, user_name: 'Casey C.' });
  });

  it('refuses a second review by the same user with a 400', async () => {
    const product = await makeProduct(app);
    const headers = await authHeader(app, await makeUser(app));
    expect((await review(product.slug, headers, { rating: 5 })).statusCode).toBe(201);
    const second = await review(product.slug, headers, { rating: 1 });
    expect(second.statusCode).toBe(400);
    expect(second.json().errors).toHaveProperty('non_field_errors');
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail).toMatchObject({ average_rating: '5.00', review_count: 1 });
  });

  it('refuses a rating of 6 with a field error', async () => {
    const product = await makeProduct(app);
    const res = await review(product.slug, await authHeader(app, await makeUser(app)), { rating: 6 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('rating');
  });

  it('requires a logged-in user to post', async () => {
    const product = await makeProduct(app);
    const res = await app.inject({ method: 'POST', url: `/api/v1/products/${product.slug}/reviews/`, payload: { rating: 5 } });
    expect(res.statusCode).toBe(401);
  });

  it('marks a review as a verified purchase when the user has a delivered order with the product', async () => {
    const product = await makeProduct(app);
    const buyer = await makeUser(app);
    const order = await placeOrder(app, buyer, [{ variantId: product.variants[0]?.id as string }]);
    await app.ctx.db.execute(sql`update orders set status = 'delivered' where id = ${order.id}`);
    const res = await review(product.slug, await authHeader(app, buyer), { rating: 5 });
    expect(res.json().is_verified_purchase).toBe(true);
  });

  it('does not mark a review verified without a delivered order', async () => {
    const product = await makeProduct(app);
    const buyer = await makeUser(app);
    await placeOrder(app, buyer, [{ variantId: product.variants[0]?.id as string }]); // pending, not delivered
    const res = await review(product.slug, await authHeader(app, buyer), { rating: 4 });
    expect(res.json().is_verified_purchase).toBe(false);
  });

  it('answers 404 for reviews of an inactive product', async () => {
    const product = await makeProduct(app, { isActive: false });
    expect((await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/reviews/` })).statusCode).toBe(404);
  });
});

describe('wishlist', () => {
  it('adds, lists and removes products of the user only', async () => {
    const product = await makeProduct(app);
    const mine = await authHeader(app, await makeUser(app));
    const other = await authHeader(app, await makeUser(app));
    const url = `/api/v1/products/${product.slug}/wishlist/`;
    expect((await app.inject({ method: 'POST', url, headers: mine })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url, headers: mine })).statusCode).toBe(200);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/wishlist/', headers: mine })).json();
    expect(list.count).toBe(1);
    expect(list.results[0].product.slug).toBe(product.slug);
    expect((await app.inject({ method: 'GET', url: '/api/v1/wishlist/', headers: other })).json().count).toBe(0);
    expect((await app.inject({ method: 'DELETE', url, headers: other })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url, headers: mine })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/wishlist/', headers: mine })).json().count).toBe(0);
  });

  it('requires a logged-in user', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/wishlist/' })).statusCode).toBe(401);
  });
});
