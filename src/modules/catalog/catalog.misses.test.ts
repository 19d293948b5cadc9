// What a catalog cache miss costs in SQL statements, measured around whole anonymous requests (the pipeline
// included), and the exactness of deep pages that start at a cached anchor instead of skipping every row.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeCategory, makeImage, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { invalidateCatalog } from './catalog.cache.js';
import { ANCHOR_STEP } from './catalog.service.js';

const { app, staff } = useTestApp({ staff: true });

/** The response and the number of SQL statements the request ran. */
async function measured(url: string) {
  const before = app.ctx.database.stats.queries;
  const response = await app.inject({ method: 'GET', url: `/api/v1${url}` });
  expect(response.statusCode).toBe(200);
  return { body: response.json(), statements: app.ctx.database.stats.queries - before };
}

async function categoryWithProducts(slug: string, n: number) {
  const category = await makeCategory(app, { slug });
  for (let i = 0; i < n; i++) {
    const p = await makeProduct(app, { categoryId: category.id, name: `Lantern ${slug} ${i}`, variants: [{}, {}] });
    await makeImage(app, { productId: p.id, isPrimary: true });
  }
  return category;
}

describe('statements per cache miss (anonymous requests)', () => {
  it('list page: the count and the page on a cold miss, the page alone once the count is cached', async () => {
    await categoryWithProducts('miss-list', 3);
    await invalidateCatalog(app.ctx); // a new generation: nothing cached
    const first = await measured('/products/?page_size=2');
    expect(first.body.results[0].variants).toHaveLength(2);
    expect(first.body.results[0].images).toHaveLength(1);
    expect(first.statements).toBe(2);
    expect((await measured('/products/?page_size=2&page=2')).statements).toBe(1);
    expect((await measured('/products/?page_size=2&ordering=price')).statements).toBe(1);
  });

  it('category page: at most the count and the page, subtree included', async () => {
    const parent = await categoryWithProducts('miss-parent', 2);
    const child = await makeCategory(app, { slug: 'miss-child', parentId: parent.id });
    await makeProduct(app, { categoryId: child.id });
    const first = await measured('/products/?category=miss-parent');
    expect(first.body.count).toBe(3);
    expect(first.statements).toBe(2);
    expect((await measured('/products/?category=miss-parent&ordering=-price')).statements).toBe(1);
  });

  it('search page: the typo lookup, the count and the page on a cold miss; the page once both are cached', async () => {
    await categoryWithProducts('miss-search', 2);
    const typo = await measured('/products/?search=lantrn%20miss');
    expect(typo.body.count).toBeGreaterThanOrEqual(2);
    expect(typo.statements).toBe(3);
    expect((await measured('/products/?search=lantrn%20miss&ordering=name')).statements).toBe(1);
    expect((await measured('/products/?search=lantrn%20miss&page_size=1&page=2')).statements).toBe(1);
    // words too short for typos need no lookup
    expect((await measured('/products/?search=miss')).statements).toBe(2);
  });

  it('product detail: one statement, variants and images included', async () => {
    const p = await makeProduct(app, { variants: [{}, { isActive: false }] });
    await makeImage(app, { productId: p.id, isPrimary: true });
    const detail = await measured(`/products/${p.slug}/`);
    expect(detail.statements).toBe(1);
    expect(detail.body.variants).toHaveLength(1); // the inactive variant is staff-only
    expect(detail.body.images).toHaveLength(1);
    const forStaff = await app.inject({ method: 'GET', url: `/api/v1/products/${p.slug}/`, headers: staff });
    expect(forStaff.json().variants).toHaveLength(2);
  });
});

describe('deep numbered pages (anchored)', () => {
  const N = 2 * ANCHOR_STEP + 57;

  async function deepCategory(slug: string) {
    const category = await makeCategory(app, { slug });
    // many price ties, so the id tiebreak decides the order across anchors
    await app.ctx.db.execute(sql`insert into products (name, slug, sku, price, currency, category_id, created_at)
      select 'Deep ' || g, ${slug} || '-' || g, ${slug} || '-sku-' || g, 100 + g % 7, ${app.ctx.config.currency},
             ${category.id}, timestamp '2026-01-01' + g * interval '1 minute' from generate_series(1, ${N}) g`);
    return category;
  }

  const slugsOf = (body: { results: { slug: string }[] }) => body.results.map((p) => p.slug);

  it('returns exactly the rows of OFFSET, for every ordering, in at most 2 statements', async () => {
    await deepCategory('deep-anchored');
    for (const ordering of ['price', '-price', 'name', '-created_at', '-rating']) {
      const all = await app.inject({
        method: 'GET',
        url: `/api/v1/products/?category=deep-anchored&ordering=${ordering}&page_size=100&include_inactive=true`,
        headers: staff, // staff lists with inactive products never use anchors: the plain OFFSET reference
      });
      const expected = [...slugsOf(all.json())];
      for (const page of [2, 3]) {
        const more = await app.inject({
          method: 'GET',
          url: `/api/v1/products/?category=deep-anchored&ordering=${ordering}&page_size=100&page=${page}&include_inactive=true`,
          headers: staff,
        });
        expected.push(...slugsOf(more.json()));
      }
      expect(expected).toHaveLength(N);
      for (const [page, size] of [
        [11, 20],
        [6, 40],
        [14, 19],
        [3, 100],
      ] as const) {
        const got = await measured(`/products/?category=deep-anchored&ordering=${ordering}&page_size=${size}&page=${page}`);
        expect(got.statements).toBeLessThanOrEqual(2);
        expect(got.body.count).toBe(N);
        expect(slugsOf(got.body)).toEqual(expected.slice((page - 1) * size, page * size));
      }
    }
  });

  it('a deep page costs one statement once the anchors are cached, and follows a write at once', async () => {
    await deepCategory('deep-fresh');
    const url = '/products/?category=deep-fresh&ordering=price&page_size=20';
    expect((await measured(`${url}&page=12`)).statements).toBe(2); // count with anchors, page
    expect((await measured(`${url}&page=13`)).statements).toBe(1);
    // the cheapest product becomes the dearest through the API: every anchor after it moves
    const cheapest = slugsOf((await measured(`${url}&page=1`)).body)[0];
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${cheapest}/`,
      headers: staff,
      payload: { price: '999.00' },
    });
    expect(patch.statusCode).toBe(200);
    const last = await measured(`${url}&page=${Math.ceil(N / 20)}`);
    expect(slugsOf(last.body).at(-1)).toBe(cheapest);
  });
});
