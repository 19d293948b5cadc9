// Review moderation: staff list every review across products, hide/unhide and delete; a hidden review leaves
// the public list and the product's average_rating/review_count, and comes back when unhidden.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { reviews } from '../catalog/catalog.tables.js';

const { app, staff, customer } = useTestApp({ staff: true, customer: true });

/** A product with reviews posted through the API (so the kept aggregates are real); returns their ids. */
async function reviewedProduct(ratings: number[]) {
  const product = await makeProduct(app);
  const ids: string[] = [];
  for (const rating of ratings) {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/reviews/`,
      headers: await authHeader(app, await makeUser(app)),
      payload: { rating, title: `rated ${rating}` },
    });
    expect(res.statusCode).toBe(201);
    ids.push(res.json().id);
  }
  return { product, ids };
}

const publicDetail = async (slug: string) => (await app.inject({ method: 'GET', url: `/api/v1/products/${slug}/` })).json();
const publicReviews = async (slug: string) =>
  (await app.inject({ method: 'GET', url: `/api/v1/products/${slug}/reviews/` })).json();
const patch = (id: string, payload: unknown, headers = staff) =>
  app.inject({ method: 'PATCH', url: `/api/v1/admin/reviews/${id}/`, headers, payload: payload as object });

describe('review moderation', () => {
  it('refuses anonymous callers and customers, and changes nothing', async () => {
    const { ids } = await reviewedProduct([1]);
    const id = ids[0] as string;
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/', headers: customer })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'PATCH', url: `/api/v1/admin/reviews/${id}/`, payload: { is_hidden: true } })).statusCode,
    ).toBe(401);
    expect((await patch(id, { is_hidden: true }, customer)).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/admin/reviews/${id}/`, headers: customer })).statusCode).toBe(403);
    const [row] = await app.ctx.db.select().from(reviews).where(eq(reviews.id, id));
    expect(row?.isHidden).toBe(false);
  });

  it('lists reviews across products newest first, filtered by rating, hidden state and product', async () => {
    const a = await reviewedProduct([5, 2]);
    const b = await reviewedProduct([2]);
    const all = (await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/?page_size=100', headers: staff })).json();
    const ids = all.results.map((r: { id: string }) => r.id);
    expect(ids.indexOf(b.ids[0])).toBeLessThan(ids.indexOf(a.ids[1]));
    expect(ids.indexOf(a.ids[1])).toBeLessThan(ids.indexOf(a.ids[0]));
    const twos = (
      await app.inject({ method: 'GET', url: `/api/v1/admin/reviews/?rating=2&product=${a.product.slug}`, headers: staff })
    ).json();
    expect(twos.count).toBe(1);
    expect(twos.results[0]).toMatchObject({
      id: a.ids[1],
      rating: 2,
      is_hidden: false,
      product: { id: a.product.id, slug: a.product.slug, name: a.product.name },
    });
    const none = (
      await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/?product=no-such-product', headers: staff })
    ).json();
    expect(none.count).toBe(0);
  });

  it('hides a review: out of the public list and the rating; unhiding restores both', async () => {
    const { product, ids } = await reviewedProduct([5, 1]);
    expect(await publicDetail(product.slug)).toMatchObject({ average_rating: '3.00', review_count: 2 });
    const res = await patch(ids[1] as string, { is_hidden: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: ids[1], is_hidden: true });
    expect(await publicDetail(product.slug)).toMatchObject({ average_rating: '5.00', review_count: 1 });
    const list = await publicReviews(product.slug);
    expect(list.count).toBe(1);
    expect(list.results.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    const hidden = (await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/?is_hidden=true', headers: staff })).json();
    expect(hidden.results.map((r: { id: string }) => r.id)).toContain(ids[1]);

    expect((await patch(ids[1] as string, { is_hidden: false })).statusCode).toBe(200);
    expect(await publicDetail(product.slug)).toMatchObject({ average_rating: '3.00', review_count: 2 });
    expect((await publicReviews(product.slug)).count).toBe(2);
  });

  it('deletes a review and recomputes the rating', async () => {
    const { product, ids } = await reviewedProduct([4, 2]);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/admin/reviews/${ids[0]}/`, headers: staff });
    expect(res.statusCode).toBe(204);
    expect(await publicDetail(product.slug)).toMatchObject({ average_rating: '2.00', review_count: 1 });
    expect((await app.inject({ method: 'GET', url: `/api/v1/admin/reviews/${ids[0]}/`, headers: staff })).statusCode).toBe(404);
  });

  it('answers 400 for a bad body or id and 404 for an unknown review, changing nothing', async () => {
    const { product, ids } = await reviewedProduct([3]);
    const id = ids[0] as string;
    for (const body of [{}, { is_hidden: 'maybe' }, { is_hidden: [1, 2] }]) {
      const res = await patch(id, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toBeDefined();
    }
    expect((await patch('not-a-uuid', { is_hidden: true })).statusCode).toBe(400);
    expect((await patch('00000000-0000-4000-8000-000000000000', { is_hidden: true })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/reviews/?rating=9', headers: staff })).statusCode).toBe(400);
    expect(await publicDetail(product.slug)).toMatchObject({ average_rating: '3.00', review_count: 1 });
  });
});
