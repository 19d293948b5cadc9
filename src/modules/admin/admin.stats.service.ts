// The dashboard's numbers: revenue and orders for today / 7 / 30 days, orders by status, new customers, 30
// days of daily revenue, low-stock variants and job trouble. Five SQL statements, cached for STATS_TTL
// seconds in the shared cache so a dashboard left open by many staff costs one computation per TTL.
import { getJson, setJson } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { countJobs } from '../../core/jobs-admin.js';
import { formatMoney } from '../../core/money.js';
import { ORDER_STATUSES } from '../orders/order-status.js';
import * as repo from './admin.stats.repo.js';

const STATS_TTL = 30;
export const STATS_CACHE_KEY = 'admin:stats:v1';
const DAY_MS = 86_400_000;
const DAYS = 30;
export const LOW_STOCK_LIMIT = 20;

export type Stats = Awaited<ReturnType<typeof computeStats>>;

/** Midnight UTC of the day `now` falls in. */
const utcDayStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

async function computeStats(ctx: AppContext) {
  const now = ctx.now();
  const currency = ctx.config.currency;
  const today = utcDayStart(now);
  const start = new Date(today.getTime() - (DAYS - 1) * DAY_MS);
  const end = new Date(today.getTime() + DAY_MS);
  const week = new Date(today.getTime() - 6 * DAY_MS);
  const [buckets, byStatus, customers, lowStock, jobs] = await Promise.all([
    repo.orderBuckets(ctx.db, start, end, currency),
    repo.ordersByStatus(ctx.db),
    repo.newCustomers(ctx.db, [today, week, start]),
    repo.lowStockVariants(ctx.db, LOW_STOCK_LIMIT),
    countJobs(ctx.db),
  ]);
  const days = Array.from(
    { length: DAYS },
    (_, i) => buckets.find((b) => b.day === i) ?? { day: i, orders: 0, paidOrders: 0, revenue: 0 },
  );
  const sum = (from: number, key: 'orders' | 'paidOrders' | 'revenue') =>
    days.slice(from).reduce((total, d) => total + d[key], 0);
  const windows = (key: 'orders' | 'paidOrders' | 'revenue') => ({
    today: sum(DAYS - 1, key),
    last_7_days: sum(DAYS - 7, key),
    last_30_days: sum(0, key),
  });
  const revenue = windows('revenue');
  return {
    generated_at: now.toISOString(),
    currency,
    revenue_statuses: [...repo.REVENUE_STATUSES],
    revenue: {
      today: formatMoney(revenue.today, currency),
      last_7_days: formatMoney(revenue.last_7_days, currency),
      last_30_days: formatMoney(revenue.last_30_days, currency),
    },
    paid_orders: windows('paidOrders'),
    orders: windows('orders'),
    orders_by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, byStatus[s] ?? 0])),
    new_customers: { today: customers[0] ?? 0, last_7_days: customers[1] ?? 0, last_30_days: customers[2] ?? 0 },
    daily_revenue: days.map((d) => ({
      date: new Date(start.getTime() + d.day * DAY_MS).toISOString().slice(0, 10),
      revenue: formatMoney(d.revenue, currency),
      orders: d.paidOrders,
    })),
    low_stock: { count: lowStock.count, results: lowStock.rows },
    jobs,
  };
}

/** The dashboard stats, at most STATS_TTL seconds old. A cache outage only costs a recomputation. */
export async function getStats(ctx: AppContext): Promise<Stats> {
  const cached = await getJson<Stats>(ctx.cache, STATS_CACHE_KEY).catch(() => undefined);
  if (cached) return cached;
  const stats = await computeStats(ctx);
  await setJson(ctx.cache, STATS_CACHE_KEY, stats, STATS_TTL).catch((error) =>
    ctx.log.warn({ err: error }, 'stats cache write failed'),
  );
  return stats;
}
