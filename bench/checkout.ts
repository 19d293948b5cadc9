// Checkout benchmark on real PostgreSQL (DATABASE_URL): N concurrent buyers fill a cart and check out over
// HTTP, as fast as they can, for a fixed time; then N buyers race for the last units of one variant.
// Reports orders/s and latency, and checks that no stock went negative and nothing was oversold.
// Usage: DATABASE_URL=postgres://... npx tsx bench/checkout.ts [--buyers 20] [--seconds 10] [--stock 200]
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

/** Phase 1: every buyer loops add-to-cart + checkout for `seconds`; stock is plentiful. */
async function throughput(app: App, base: string, buyers: number, seconds: number) {
  const variants = await makeVariants(app, 20, 1_000_000);
  const tokens = await makeBuyers(app, buyers);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, i) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const picks = [variants[(i + n) % variants.length]!, variants[(i * 7 + n * 3 + 1) % variants.length]!];
        const r = await buyOnce(base, token, picks);
        if (r.status === 201) latencies.push(r.ms);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    orders: latencies.length,
    errors,
    elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
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
    sold,
    refused,
    other,
    stockLeft: Number(row!.stock),
    ordered: Number(row!.ordered),
    negativeVariants: Number(negative!.n),
  };
}

export async function runCheckoutBench(options: { buyers: number; seconds: number; stock: number }) {
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
    DATABASE_POOL_SIZE: String(Math.max(10, options.buyers + 5)),
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
    const t = await throughput(app, base, options.buyers, options.seconds);
    const s = await sellout(app, base, options.buyers, options.stock);
    return { ...options, throughput: t, sellout: s };
  } finally {
    await app.close();
    await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function report(r: Awaited<ReturnType<typeof runCheckoutBench>>) {
  const t = r.throughput;
  const s = r.sellout;
  console.log(`checkout: ${r.buyers} concurrent buyers, ${r.seconds}s, 2 items per order`);
  console.log(
    `  orders: ${t.orders} in ${t.elapsed.toFixed(1)}s = ${(t.orders / t.elapsed).toFixed(1)} orders/s (errors: ${t.errors})`,
  );
  console.log(`  checkout latency ms: p50 ${t.p50.toFixed(1)}  p95 ${t.p95.toFixed(1)}  p99 ${t.p99.toFixed(1)}`);
  console.log(`sell-out: ${r.buyers} buyers race for ${r.stock} units`);
  console.log(
    `  sold ${s.sold}, refused ${s.refused} (409), other ${s.other}; ordered ${s.ordered}, stock left ${s.stockLeft}, variants below zero ${s.negativeVariants}`,
  );
  const ok = s.sold === r.stock && s.ordered === r.stock && s.stockLeft === 0 && s.negativeVariants === 0 && s.other === 0;
  console.log(ok ? '  OK: sold exactly the stock, none negative' : '  FAILED: stock invariant broken');
  return ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runCheckoutBench({ buyers: arg('buyers', 20), seconds: arg('seconds', 10), stock: arg('stock', 200) })
    .then((r) => process.exit(report(r) ? 0 : 1))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

export { report as reportCheckoutBench };
