import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/setup/test-app.js';
import { queryRows } from '../../core/db.js';
import { seedDemoData } from '../../seed.js';

const { app } = useTestApp();
beforeAll(async () => {
  await seedDemoData(app.ctx, { products: 200 });
});

const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(app.ctx.db, query))[0]?.n);

describe('demo catalog seed', () => {
  it('builds nested categories and 200 products, each with variants', async () => {
    expect(await count(sql`select count(*)::int as n from products`)).toBe(200);
    expect(
      await count(sql`select count(*)::int as n from products p where not exists
      (select 1 from product_variants v where v.product_id = p.id)`),
    ).toBe(0);
    expect(
      await count(sql`select count(*)::int as n from categories c join categories p on p.id = c.parent_id
      join categories g on g.id = p.parent_id`),
    ).toBeGreaterThan(0);
  });

  it('writes reviews by the demo users and keeps each product’s average in step', async () => {
    expect(await count(sql`select count(*)::int as n from reviews`)).toBeGreaterThan(100);
    expect(
      await count(sql`select count(*)::int as n from products p
      left join (select product_id, round(avg(rating), 2) as avg, count(*)::int as c from reviews group by 1) s on s.product_id = p.id
      where p.review_count <> coalesce(s.c, 0) or p.average_rating <> coalesce(s.avg, 0)`),
    ).toBe(0);
  });

  it('sets each product’s in-stock variant count to match its variants', async () => {
    expect(
      await count(sql`select count(*)::int as n from products p where p.in_stock_variants <>
      (select count(*) from product_variants v where v.product_id = p.id and v.is_active and v.stock_quantity > 0)`),
    ).toBe(0);
    expect(await count(sql`select count(*)::int as n from products where in_stock_variants = 0`)).toBeGreaterThan(0);
  });

  it('keeps existing rows when run twice', async () => {
    await seedDemoData(app.ctx, { products: 200 });
    expect(await count(sql`select count(*)::int as n from products`)).toBe(200);
  });

  it('serves the seeded catalog through the API, filtered by a top-level category', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?category=electronics&page_size=5' });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBeGreaterThan(20);
  });
});
