// Checkout benchmark on real PostgreSQL (DATABASE_URL), a flash sale: for each point of the curve (20, 50 and
// 100 buyers by default), every buyer fills a cart from the SAME 20 variants and checks out over HTTP, as fast
// as it can, for a fixed time; then the buyers race for the last units of one variant. Reports orders/s,
// checkout latency, errors by status and statements per order for each point, and checks that no stock went
// negative and nothing was oversold. The app keeps its pool size (DATABASE_POOL_SIZE, default 10) whatever
// the number of buyers: connections are sized to the database's cores, not to the clients.
// Usage: DATABASE_URL=postgres://... npx tsx bench/checkout.ts [--buyers 20,50,100] [--seconds 10] [--stock 200]
//        [--pool 10] [--warmup 3]
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/core/db.js';
import type { App } from '../src/core/module.js';
import { users } from '../src/modules/accounts/accounts.tables.js';
import { startSession } from '../src/modules/accounts/accounts.tokens.js';
import { products, productVariants } from '../src/modules/catalog/catalog.tables.js';

const ADDRESS = { full_name: 'Bench Buyer', line1: '1 Load St', city: 'Testville', postal_code: '00001', country: 'US' };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function listArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0
    ? String(process.argv[i + 1])
        .split(',')
        .map(Number)
    : fallback;
}

const INITIAL_STOCK = 1_000_000;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : 0;
}

async function admin(url: string, text: string) {
  const u = new URL(url);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

async function makeVariants(app: App, count: number, stock: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = randomBytes(4).toString('hex');
    const [p] = await app.ctx.db
      .insert(products)
      .values({ name: `Bench ${tag}`, slug: `bench-${tag}`, sku: `B-${tag}`, price: 1000 + i, currency: app.ctx.config.currency })
      .returning();
    const [v] = await app.ctx.db
      .insert(productVariants)
      .values({ productId: p!.id, sku: `B-${tag}-1`, stockQuantity: stock, lowStockThreshold: 0 })
      .returning();
    ids.push(v!.id);
  }
  return ids;
}

async function makeBuyers(app: App, count: number): Promise<string[]> {
  const rows = await app.ctx.db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `bench-${i}-${randomBytes(3).toString('hex')}@example.com`,
        passwordHash: 'x',
      })),
    )
    .returning();
  // each buyer gets a real session, as after a login (access tokens must belong to a live session)
  return Promise.all(rows.map(async (u) => `Bearer ${(await startSession(app.ctx, app.ctx.db, u)).access}`));
}

/** Adds the variants to the buyer's cart and checks out; a refused add (sold out) comes back as its 409. */
async function buyOnce(base: string, token: string, variantIds: string[]): Promise<{ status: number; ms: number }> {
  const headers = { authorization: token, 'content-type': 'application/json' };
  for (const variantId of variantIds) {
    const add = await fetch(`${base}/api/v1/cart/items/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ variant_id: variantId, quantity: 1 }),
    });
    await add.arrayBuffer();
    if (add.status !== 201) return { status: add.status, ms: 0 };
  }
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/orders/`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ shipping_address: ADDRESS }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

/** Stock check over the given variants: none negative, and stock left + units ordered = the initial stock. */
async function stockInvariant(app: App, variantIds: string[], initial: number) {
  const rows = await queryRows<{ id: string; stock: number; ordered: number }>(
    app.ctx.db,
    sql`SELECT v.id, v.stock_quantity AS stock,
               (SELECT coalesce(sum(i.quantity), 0)::int FROM order_items i WHERE i.variant_id = v.id) AS ordered
        FROM product_variants v WHERE v.id IN ${variantIds}`,
  );
  const negative = rows.filter((r) => Number(r.stock) < 0).length;
  const mismatched = rows.filter((r) => Number(r.stock) + Number(r.ordered) !== initial).length;
  return { negative, mismatched, ok: negative === 0 && mismatched === 0 && rows.length === variantIds.length };
}

/** Phase 1 (one point of the curve): every buyer loops add-to-cart + checkout for `seconds` on the same variants. */
async function throughput(app: App, base: string, buyers: number, seconds: number) {
  const variants = await makeVariants(app, 20, INITIAL_STOCK);
  const tokens = await makeBuyers(app, buyers);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const statementsBefore = app.ctx.database.stats.queries;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, i) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const picks = [variants[(i + n) % variants.length]!, variants[(i * 7 + n * 3 + 1) % variants.length]!];
        const r = await buyOnce(base, token, picks);
        if (r.status === 201) latencies.push(r.ms);
        else statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const statements = app.ctx.database.stats.queries - statementsBefore;
  latencies.sort((a, b) => a - b);
  return {
    buyers,
    orders: latencies.length,
    errors: Object.values(statuses).reduce((a, b) => a + b, 0),
    statuses,
    elapsed,
    ordersPerSecond: latencies.length / elapsed,
    statementsPerOrder: latencies.length ? statements / latencies.length : 0,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    stock: await stockInvariant(app, variants, INITIAL_STOCK),
  };
}

/** Phase 2: `buyers` race for `stock` units of one variant until it is sold out. */
async function sellout(app: App, base: string, buyers: number, stock: number) {
  const [variantId] = await makeVariants(app, 1, stock);
  const tokens = await makeBuyers(app, buyers);
  let sold = 0;
  let refused = 0;
  let other = 0;
  await Promise.all(
    tokens.map(async (token) => {
      for (;;) {
        const r = await buyOnce(base, token, [variantId!]);
        if (r.status === 201) sold++;
        else if (r.status === 409) {
          refused++;
          await fetch(`${base}/api/v1/cart/clear/`, { method: 'POST', headers: { authorization: token } });
          return;
        } else if (++other > 100) return;
      }
    }),
  );
  const [row] = await queryRows<{ stock: number; ordered: number }>(
    app.ctx.db,
    sql`SELECT (SELECT stock_quantity FROM product_variants WHERE id = ${variantId}) AS stock,
               (SELECT coalesce(sum(quantity), 0)::int FROM order_items WHERE variant_id = ${variantId}) AS ordered`,
  );
  const [negative] = await queryRows<{ n: number }>(
    app.ctx.db,
    sql`SELECT count(*)::int AS n FROM product_variants WHERE stock_quantity < 0`,
  );
  return {
    buyers,
    sold,
    refused,
    other,
    stockLeft: Number(row!.stock),
    ordered: Number(row!.ordered),
    negativeVariants: Number(negative!.n),
  };
}

export interface CheckoutBenchOptions {
  /** The curve: one throughput point per entry (20, 50, 100 by default). */
  buyers: number[];
  seconds: number;
  stock: number;
  /** The app's pool size (DATABASE_POOL_SIZE); the same for every point. */
  pool: number;
  /** Seconds of unreported load before the curve (default 3). */
  warmup?: number;
}

export async function runCheckoutBench(options: CheckoutBenchOptions) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('the checkout benchmark needs DATABASE_URL (real PostgreSQL; PGlite has one connection)');
  const name = `emporium_bench_${randomBytes(4).toString('hex')}`;
  await admin(url, `CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(24).toString('hex'),
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: String(options.pool),
    LOG_LEVEL: 'silent',
    API_RATE_LIMIT: '10000000',
    DATA_DIR: os.tmpdir(),
  });
  const app = await buildApp(config);
  try {
    await app.ctx.database.migrate();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // warm-up, not reported: JIT, the pool's connections, and planner statistics of the fresh tables (ANALYZE
    // after it): without it the first point of the curve, the one the targets are about, pays for all three
    const warmup = options.warmup ?? 3;
    if (warmup > 0) await throughput(app, base, options.buyers[0] ?? 20, warmup);
    await app.ctx.db.execute(sql`ANALYZE`);
    const curve = [];
    for (const buyers of options.buyers) curve.push(await throughput(app, base, buyers, options.seconds));
    const race = await sellout(app, base, Math.max(...options.buyers), options.stock);
    return { ...options, curve, sellout: race };
  } finally {
    await app.close();
    await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function report(r: Awaited<ReturnType<typeof runCheckoutBench>>) {
  console.log(
    `checkout (flash sale): every buyer on the same 20 variants, 2 items per order, ${r.seconds}s per point after ${r.warmup ?? 3}s of warm-up, pool ${r.pool}`,
  );
  console.log('  buyers  orders/s   p50 ms   p95 ms   p99 ms  stmts/order  errors (by status)  stock');
  let ok = true;
  for (const t of r.curve) {
    const errors = Object.entries(t.statuses)
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
    ok &&= t.stock.ok;
    console.log(
      `  ${String(t.buyers).padStart(6)}  ${t.ordersPerSecond.toFixed(1).padStart(8)} ${t.p50.toFixed(1).padStart(8)} ` +
        `${t.p95.toFixed(1).padStart(8)} ${t.p99.toFixed(1).padStart(8)} ${t.statementsPerOrder.toFixed(1).padStart(12)}  ` +
        `${`${t.errors}${errors ? ` (${errors})` : ''}`.padEnd(18)}  ` +
        (t.stock.ok ? 'ok' : `BROKEN: ${t.stock.negative} negative, ${t.stock.mismatched} stock+ordered != initial`),
    );
  }
  const s = r.sellout;
  console.log(`sell-out: ${s.buyers} buyers race for ${r.stock} units`);
  console.log(
    `  sold ${s.sold}, refused ${s.refused} (409), other ${s.other}; ordered ${s.ordered}, stock left ${s.stockLeft}, variants below zero ${s.negativeVariants}`,
  );
  ok &&= s.sold === r.stock && s.ordered === r.stock && s.stockLeft === 0 && s.negativeVariants === 0 && s.other === 0;
  console.log(ok ? '  OK: sold exactly the stock, none negative' : '  FAILED: stock invariant broken');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runCheckoutBench({
    buyers: listArg('buyers', [20, 50, 100]),
    seconds: arg('seconds', 10),
    stock: arg('stock', 200),
    pool: arg('pool', Number(process.env.DATABASE_POOL_SIZE ?? 10)),
    warmup: arg('warmup', 3),
  })
    .then((r) => process.exit(report(r) ? 0 : 1))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

export { report as reportCheckoutBench };
