// Dashboard reporting SQL. A deliberate, read-only exception to the module rule (see src/modules/README.md):
// the dashboard aggregates orders, users, variants and jobs in a handful of statements, which going through
// each module's service would turn into many round trips. Nothing here writes.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/db.js';

/** Order statuses whose totals count as revenue (money received and not given back). */
export const REVENUE_STATUSES = ['paid', 'processing', 'shipped', 'delivered'] as const;
const revenueStatuses = sql.raw(REVENUE_STATUSES.map((s) => `'${s}'`).join(', '));

export interface DayBucket {
  /** 0 = the window's first day. */
  day: number;
  orders: number;
  paidOrders: number;
  revenue: number;
}

/** Orders per UTC day of [start, end): all placed, revenue-counting ones, and their revenue in `currency`. */
export async function orderBuckets(db: Db, start: Date, end: Date, currency: string): Promise<DayBucket[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select floor(extract(epoch from (created_at - ${start.toISOString()}::timestamptz)) / 86400)::int as day,
          count(*)::int as orders,
          (count(*) filter (where status in (${revenueStatuses})))::int as paid_orders,
          coalesce(sum(total) filter (where status in (${revenueStatuses})), 0)::bigint as revenue
        from orders
        where created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz
          and currency = ${currency}
        group by 1`,
  );
  return rows.map((r) => ({
    day: Number(r.day),
    orders: Number(r.orders),
    paidOrders: Number(r.paid_orders),
    revenue: Number(r.revenue),
  }));
}

export async function ordersByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status, count(*)::int as n from orders group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Customers (not staff) who joined since each of the given instants. */
export async function newCustomers(db: Db, since: Date[]): Promise<number[]> {
  const earliest = new Date(Math.min(...since.map((d) => d.getTime())));
  const columns = sql.join(
    since.map(
      (s, i) => sql`(count(*) filter (where date_joined >= ${s.toISOString()}::timestamptz))::int as ${sql.raw(`c${i}`)}`,
    ),
    sql`, `,
  );
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns} from users
        where date_joined >= ${earliest.toISOString()}::timestamptz and not is_staff and not is_superuser`,
  );
  return since.map((_, i) => Number(row?.[`c${i}`] ?? 0));
}

export interface LowStockRow {
  variant_id: string;
  product_id: string;
  product_name: string;
  product_slug: string;
  sku: string;
  variant_name: string;
  stock_quantity: number;
  low_stock_threshold: number;
}

const LOW_STOCK = sql`v.is_active and v.stock_quantity <= v.low_stock_threshold
  and exists (select 1 from products p where p.id = v.product_id and p.deleted_at is null)`;

/**
 * Active variants of products that are not deleted, at or under their low-stock threshold, lowest stock
 * first (then by SKU), and how many there are in all. Both walk the partial index
 * product_variants_low_stock_idx (stock_quantity, sku), which holds exactly these variants, so the page
 * stops after `limit` index entries instead of sorting every low-stock variant.
 */
export async function lowStockVariants(db: Db, limit: number): Promise<{ count: number; rows: LowStockRow[] }> {
  const [rows, [total]] = await Promise.all([
    queryRows<Record<string, unknown>>(
      db,
      sql`select v.id as variant_id, v.product_id, p.name as product_name, p.slug as product_slug, v.sku,
            v.name as variant_name, v.stock_quantity, v.low_stock_threshold
          from product_variants v join products p on p.id = v.product_id
          where ${LOW_STOCK}
          order by v.stock_quantity, v.sku
          limit ${limit}`,
    ),
    queryRows<{ n: number }>(db, sql`select count(*)::int as n from product_variants v where ${LOW_STOCK}`),
  ]);
  return {
    count: Number(total?.n ?? 0),
    rows: rows.map((r) => ({
      variant_id: String(r.variant_id),
      product_id: String(r.product_id),
      product_name: String(r.product_name),
      product_slug: String(r.product_slug),
      sku: String(r.sku),
      variant_name: String(r.variant_name),
      stock_quantity: Number(r.stock_quantity),
      low_stock_threshold: Number(r.low_stock_threshold),
    })),
  };
}
