import { beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeImage, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));

// electronics > audio > headphones; clothing
const { app, staff } = useTestApp({ staff: true });
beforeAll(async () => {
  const electronics = await makeCategory(app, { name: 'Electronics', slug: 'electronics' });
  const audio = await makeCategory(app, { name: 'Audio', slug: 'audio', parentId: electronics.id });
  const headphones = await makeCategory(app, { name: 'Headphones', slug: 'headphones', parentId: audio.id });
  const clothing = await makeCategory(app, { name: 'Clothing', slug: 'clothing' });
  await makeProduct(app, { slug: 'tv', name: 'Television', price: 50000, categoryId: electronics.id, createdAt: at(1) });
  await makeProduct(app, {
    slug: 'speaker',
    name: 'Speaker',
    price: 8000,
    categoryId: audio.id,
    createdAt: at(2),
    isFeatured: true,
  });
  await makeProduct(app, {
    slug: 'earbuds',
    name: 'Earbuds',
    price: 3000,
    categoryId: headphones.id,
    createdAt: at(3),
    averageRating: '4.50',
    variants: [{ stockQuantity: 0 }],
  });
  await makeProduct(app, {
    slug: 'shirt',
    name: 'Shirt',
    price: 2000,
    categoryId: clothing.id,
    createdAt: at(4),
    averageRating: '3.00',
  });
  await makeProduct(app, {
    slug: 'jacket',
    name: 'Jacket',
    price: 12000,
    categoryId: clothing.id,
    createdAt: at(5),
    isFeatured: true,
    variants: [{ stockQuantity: 0 }, { stockQuantity: 3, isActive: false }],
  });
  await makeProduct(app, { slug: 'hidden', name: 'Hidden', price: 100, isActive: false, createdAt: at(6) });
  await makeProduct(app, { slug: 'gone', name: 'Gone', price: 100, deletedAt: new Date(), createdAt: at(7) });
});

async function slugs(query: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: `/api/v1/products/?${query}`, headers });
  expect(res.statusCode).toBe(200);
  return (res.json().results as { slug: string }[]).map((p) => p.slug);
}

describe('product list filters', () => {
  it('includes every descendant category when filtering by a category slug', async () => {
    expect((await slugs('category=electronics')).sort()).toEqual(['earbuds', 'speaker', 'tv']);
    expect((await slugs('category=audio')).sort()).toEqual(['earbuds', 'speaker']);
    expect(await slugs('category=headphones')).toEqual(['earbuds']);
  });

  it('returns nothing for an unknown category slug', async () => {
    expect(await slugs('category=nope')).toEqual([]);
  });

  it('filters featured products', async () => {
    expect((await slugs('is_featured=true')).sort()).toEqual(['jacket', 'speaker']);
    expect((await slugs('is_featured=false')).sort()).toEqual(['earbuds', 'shirt', 'tv']);
  });

  it('filters by a price range in decimal strings, inclusive', async () => {
    expect((await slugs('min_price=30.00&max_price=120')).sort()).toEqual(['earbuds', 'jacket', 'speaker']);
    expect(await slugs('min_price=500.01')).toEqual([]);
  });

  it('filters by stock of active variants', async () => {
    expect((await slugs('in_stock=true')).sort()).toEqual(['shirt', 'speaker', 'tv']);
    expect((await slugs('in_stock=false')).sort()).toEqual(['earbuds', 'jacket']);
  });

  it('rejects a malformed price filter with a field error', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?min_price=cheap' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('min_price');
  });
});

describe('product list ordering', () => {
  it.each([
    ['price', ['shirt', 'earbuds', 'speaker', 'jacket', 'tv']],
    ['-price', ['tv', 'jacket', 'speaker', 'earbuds', 'shirt']],
    ['created_at', ['tv', 'speaker', 'earbuds', 'shirt', 'jacket']],
    ['-created_at', ['jacket', 'shirt', 'earbuds', 'speaker', 'tv']],
    ['name', ['earbuds', 'jacket', 'shirt', 'speaker', 'tv']],
    ['-name', ['tv', 'speaker', 'shirt', 'jacket', 'earbuds']],
  ])('orders by %s', async (ordering, expected) => {
    expect(await slugs(`ordering=${ordering}`)).toEqual(expected);
  });

  it('orders by -rating, best rated first', async () => {
    const order = await slugs('ordering=-rating');
    expect(order.slice(0, 2)).toEqual(['earbuds', 'shirt']);
    expect(order.slice(2).sort()).toEqual(['jacket', 'speaker', 'tv']); // equal ratings, ties broken by id
  });

  it('orders newest first by default', async () => {
    expect(await slugs('')).toEqual(['jacket', 'shirt', 'earbuds', 'speaker', 'tv']);
  });

  it('refuses an unknown ordering', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?ordering=stock' });
    expect(res.statusCode).toBe(400);
  });
});

describe('product list pagination', () => {
  it('gives count and a next link on the first page', async () => {
    const body = (await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=2' })).json();
    expect(body.count).toBe(5);
    expect(body.previous).toBeNull();
    expect(body.next).toBe('http://localhost/api/v1/products/?page_size=2&page=2');
    expect(body.results).toHaveLength(2);
  });

  it('gives no next link on the last page and a previous link without page=1', async () => {
    const last = (await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=2&page=3' })).json();
    expect(last.results.map((p: { slug: string }) => p.slug)).toEqual(['tv']);
    expect(last.next).toBeNull();
    expect(last.previous).toContain('page=2');
    const second = (await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=2&page=2' })).json();
    expect(second.previous).not.toContain('page=');
  });

  it('answers 404 for a page past the end, as DRF', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=2&page=4' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('invalid_page');
  });

  it('gives an empty first page with count 0 when nothing matches', async () => {
    const body = (await app.inject({ method: 'GET', url: '/api/v1/products/?category=nope' })).json();
    expect(body).toMatchObject({ count: 0, next: null, previous: null, results: [] });
  });

  it('walks every product with keyset cursors, forward and back', async () => {
    const seen: string[] = [];
    let url: string | null = '/api/v1/products/?ordering=price&page_size=2&cursor=';
    const pages: { previous: string | null; results: { slug: string }[] }[] = [];
    while (url) {
      const body: { next: string | null; previous: string | null; results: { slug: string }[] } = (
        await app.inject({ method: 'GET', url })
      ).json();
      expect(body).not.toHaveProperty('count');
      pages.push(body);
      seen.push(...body.results.map((p: { slug: string }) => p.slug));
      url = body.next;
    }
    expect(seen).toEqual(['shirt', 'earbuds', 'speaker', 'jacket', 'tv']);
    expect(pages[0]?.previous).toBeNull();
    const back = (await app.inject({ method: 'GET', url: pages[2]?.previous as string })).json();
    expect(back.results.map((p: { slug: string }) => p.slug)).toEqual(['speaker', 'jacket']);
  });

  it('answers 404 for a garbled cursor', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?cursor=not-a-cursor' });
    expect(res.statusCode).toBe(404);
  });
});

describe('product visibility', () => {
  it('hides inactive and deleted products from customers, even when they ask', async () => {
    expect(await slugs('include_inactive=true')).not.toContain('hidden');
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/hidden/' });
    expect(res.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/gone/' })).statusCode).toBe(404);
  });

  it('shows staff inactive and deleted products with include_inactive', async () => {
    const all = await slugs('include_inactive=true', staff);
    expect(all).toEqual(expect.arrayContaining(['hidden', 'gone']));
    expect(await slugs('', staff)).not.toContain('hidden');
  });

  it('sums only active variants into stock_quantity and shows only active variants', async () => {
    const body = (await app.inject({ method: 'GET', url: '/api/v1/products/jacket/' })).json();
    expect(body.stock_quantity).toBe(0);
    expect(body.variants).toHaveLength(1);
  });
});

describe('query count', () => {
  it('loads a page of 20 products with variants and images in a constant number of queries', async () => {
    const category = await makeCategory(app, { slug: 'bulk' });
    for (let i = 0; i < 20; i++) {
      const p = await makeProduct(app, { categoryId: category.id, variants: [{}, {}] });
      await makeImage(app, { productId: p.id, isPrimary: true });
    }
    const before = app.ctx.database.stats.queries;
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?category=bulk&page_size=20' });
    const used = app.ctx.database.stats.queries - before;
    expect(res.json().results).toHaveLength(20);
    expect(res.json().results[0].images).toHaveLength(1);
    expect(res.json().results[0].variants).toHaveLength(2);
    expect(used).toBeLessThanOrEqual(4);
  });
});

describe('deep pages', () => {
  it('returns the same rows for a deep OFFSET page as walking there with cursors', async () => {
    const category = await makeCategory(app, { slug: 'deep' });
    for (let i = 0; i < 30; i++) await makeProduct(app, { categoryId: category.id, price: 100 + i });
    const expected: string[] = [];
    let url: string | null = '/api/v1/products/?category=deep&ordering=price&page_size=1&cursor=';
    while (url) {
      const body: { next: string | null; results: { slug: string }[] } = (await app.inject({ method: 'GET', url })).json();
      expected.push(...body.results.map((p) => p.slug));
      url = body.next;
    }
    const page = await app.inject({ method: 'GET', url: '/api/v1/products/?category=deep&ordering=price&page_size=10&page=2' });
    expect(page.json().results.map((p: { slug: string }) => p.slug)).toEqual(expected.slice(10, 20));
  });
});
