// GET /admin/stats/: the dashboard numbers, checked against rows placed at known days, and who may read them.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeJob, makeOrderRow } from '../../../test/factories/admin.js';
import { makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeStaff, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { STATS_CACHE_KEY } from './admin.stats.service.js';

// noon UTC today: rows the database stamps with its own now() still fall on this UTC day
const NOW = new Date();
NOW.setUTCHours(12, 0, 0, 0);
const daysAgo = (n: number, hour = 10) => {
  const d = new Date(NOW.getTime() - n * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

let customer: Record<string, string>;

const { app, staff } = useTestApp({ now: () => NOW, staff: true });
beforeAll(async () => {
  const buyer = await makeUser(app, { dateJoined: daysAgo(40) });
  customer = await authHeader(app, buyer);
  // revenue: today 10.00 + 25.00; 3 days ago 7.00; 10 days ago 3.00; 40 days ago (outside) 50.00
  await makeOrderRow(app, buyer, { status: 'paid', total: 1000, createdAt: daysAgo(0, 1) });
  await makeOrderRow(app, buyer, { status: 'delivered', total: 2500, createdAt: daysAgo(0, 11) });
  await makeOrderRow(app, buyer, { status: 'cancelled', total: 9999, createdAt: daysAgo(0) });
  await makeOrderRow(app, buyer, { status: 'pending', total: 500, createdAt: daysAgo(0) });
  await makeOrderRow(app, buyer, { status: 'shipped', total: 700, createdAt: daysAgo(3) });
  await makeOrderRow(app, buyer, { status: 'refunded', total: 800, createdAt: daysAgo(3) });
  await makeOrderRow(app, buyer, { status: 'processing', total: 300, createdAt: daysAgo(10) });
  await makeOrderRow(app, buyer, { status: 'paid', total: 5000, createdAt: daysAgo(40) });
  // customers: today (x2), 3 days, 20 days, 40 days ago; staff never count
  await makeUser(app, { dateJoined: daysAgo(0) });
  await makeUser(app, { dateJoined: daysAgo(0, 2) });
  await makeUser(app, { dateJoined: daysAgo(3) });
  await makeUser(app, { dateJoined: daysAgo(20) });
  await makeStaff(app, { dateJoined: daysAgo(0) });
  await app.ctx.cache.del(STATS_CACHE_KEY);
});

const stats = (headers: Record<string, string> = staff) => app.inject({ method: 'GET', url: '/api/v1/admin/stats/', headers });

describe('admin stats', () => {
  it('refuses anonymous callers (401) and customers (403)', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/stats/' })).statusCode).toBe(401);
    const res = await stats(customer);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('sums revenue of paid-ish orders and counts orders per window', async () => {
    await app.ctx.cache.del(STATS_CACHE_KEY);
    const res = await stats();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.revenue_statuses).toEqual(['paid', 'processing', 'shipped', 'delivered']);
    expect(body.revenue).toEqual({ today: '35.00', last_7_days: '42.00', last_30_days: '45.00' });
    expect(body.paid_orders).toEqual({ today: 2, last_7_days: 3, last_30_days: 4 });
    expect(body.orders).toEqual({ today: 4, last_7_days: 6, last_30_days: 7 });
    expect(body.orders_by_status).toEqual({
      pending: 1,
      paid: 2,
      processing: 1,
      shipped: 1,
      delivered: 1,
      cancelled: 1,
      refunded: 1,
    });
    expect(body.new_customers).toEqual({ today: 2, last_7_days: 3, last_30_days: 4 });
  });

  it('gives 30 days of revenue, oldest first, with zero days present', async () => {
    await app.ctx.cache.del(STATS_CACHE_KEY);
    const days = (await stats()).json().daily_revenue as { date: string; revenue: string; orders: number }[];
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({ date: NOW.toISOString().slice(0, 10), revenue: '35.00', orders: 2 });
    expect(days[0]?.date).toBe(daysAgo(29).toISOString().slice(0, 10));
    expect(days.at(-4)).toEqual({ date: daysAgo(3).toISOString().slice(0, 10), revenue: '7.00', orders: 1 });
    expect(days.at(-11)?.revenue).toBe('3.00');
    expect(days.filter((d) => d.revenue === '0.00')).toHaveLength(27);
  });

  it('lists low-stock variants (stock <= threshold) of live products, lowest first, with the total', async () => {
    const p = await makeProduct(app, {
      name: 'Low Lamp',
      variants: [
        { stockQuantity: 2, lowStockThreshold: 5, sku: 'LOW-2' },
        { stockQuantity: 5, lowStockThreshold: 5, sku: 'LOW-5' },
        { stockQuantity: 6, lowStockThreshold: 5, sku: 'OK-6' },
        { stockQuantity: 0, lowStockThreshold: 5, sku: 'OFF-0', isActive: false },
      ],
    });
    await makeProduct(app, { deletedAt: new Date(), variants: [{ stockQuantity: 0, sku: 'GONE-0' }] });
    await app.ctx.cache.del(STATS_CACHE_KEY);
    const low = (await stats()).json().low_stock;
    expect(low.count).toBe(2);
    expect(low.results).toEqual([
      expect.objectContaining({
        sku: 'LOW-2',
        stock_quantity: 2,
        low_stock_threshold: 5,
        product_slug: p.slug,
        product_name: 'Low Lamp',
      }),
      expect.objectContaining({ sku: 'LOW-5', stock_quantity: 5, product_id: p.id }),
    ]);
  });

  it('counts failed, dead and pending jobs', async () => {
    await makeJob(app, { status: 'dead', lastError: 'Error: boom', attempts: 8 });
    await makeJob(app, { status: 'pending', lastError: 'Error: flaky', attempts: 2 });
    await makeJob(app, { status: 'pending', runAt: new Date(Date.now() + 3_600_000) });
    await makeJob(app, { status: 'done', lastError: 'Error: once' });
    await app.ctx.cache.del(STATS_CACHE_KEY);
    const { jobs } = (await stats()).json();
    expect(jobs.dead).toBeGreaterThanOrEqual(1);
    expect(jobs.failed).toBeGreaterThanOrEqual(1);
    expect(jobs.pending).toBeGreaterThanOrEqual(jobs.failed + 1);
  });

  it('serves the cached numbers for a while instead of recomputing', async () => {
    await app.ctx.cache.del(STATS_CACHE_KEY);
    const first = (await stats()).json();
    const buyer = await makeUser(app);
    await makeOrderRow(app, buyer, { status: 'paid', total: 100_000 });
    expect((await stats()).json()).toEqual(first);
    await app.ctx.cache.del(STATS_CACHE_KEY);
    expect((await stats()).json().paid_orders.today).toBe(first.paid_orders.today + 1);
  });
});
