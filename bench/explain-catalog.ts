// `npm run bench:explain-catalog`: EXPLAIN ANALYZE of the statements a catalog cache miss runs (list page,
// deep page, category page, search page, their counts, product detail), captured from the repository functions
// the API calls, so the plans are those of the real SQL. PostgreSQL only (DATABASE_URL); seed it first
// (`npm run seed -- --products 100000`). `--verbose` prints whole plans instead of their main lines.
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Db } from '../src/core/db.js';
import * as repo from '../src/modules/catalog/catalog.repo.js';
import { findTypos } from '../src/modules/catalog/catalog.search.js';
import { ANCHOR_STEP, anchoredPosition } from '../src/modules/catalog/catalog.service.js';

const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) throw new Error('DATABASE_URL=postgres://... required (PostgreSQL plans)');
const verbose = process.argv.includes('--verbose');

const pool = new pg.Pool({ connectionString: url, max: 1 });
const captured: { query: string; params: unknown[] }[] = [];
const db = drizzle({ client: pool, logger: { logQuery: (query, params) => captured.push({ query, params }) } }) as unknown as Db;

/** Runs `read` (warming caches), then EXPLAIN ANALYZEs every statement it ran; returns the execution times. */
async function explain(title: string, read: () => Promise<unknown>): Promise<void> {
  captured.length = 0;
  await read();
  const statements = [...captured];
  for (const [i, { query, params }] of statements.entries()) {
    const result = await pool.query(`explain (analyze, buffers, costs off) ${query}`, params);
    const lines = result.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']);
    const shown = verbose
      ? lines
      : lines.filter((l: string) => !/^\s*(Buffers|Sort Method|Planning:|Heap Blocks|Worker)/.test(l));
    console.log(`\n-- ${title}${statements.length > 1 ? ` (statement ${i + 1}/${statements.length})` : ''}`);
    console.log(shown.join('\n'));
  }
}

const visible = { includeInactive: false } satisfies repo.ProductFilter;
const newest = '-created_at' as const;
const { rows: slugs } = await pool.query<{ slug: string }>(
  `select (select slug from products where is_active and deleted_at is null order by created_at desc limit 1 offset 5000) as slug
   union all select (select slug from categories where parent_id is null order by position limit 1)`,
);
const [detailSlug, rootCategory] = slugs.map((r) => r.slug as string);
const search = { text: 'leather', typos: await findTypos(db, 'leather') };
const typoSearch = { text: 'wirelss hedphones', typos: await findTypos(db, 'wirelss hedphones') };

const deep = 39_980; // page 2000
await explain('list page 1, newest', () => repo.listProductsWithRelations(db, visible, newest, { offset: 0 }, 20));
await explain('list page 2000, newest, plain OFFSET', () =>
  repo.listProductsWithRelations(db, visible, newest, { offset: deep }, 20),
);
const { anchors } = await repo.countWithAnchors(db, visible, newest, ANCHOR_STEP);
await explain('count + anchors, newest (once per catalog generation)', () =>
  repo.countWithAnchors(db, visible, newest, ANCHOR_STEP),
);
await explain('list page 2000, newest, anchored', () =>
  repo.listProductsWithRelations(db, visible, newest, anchoredPosition(anchors, deep), 20),
);
const byPrice = await repo.countWithAnchors(db, visible, 'price', ANCHOR_STEP);
await explain('list page 2000, by price, anchored', () =>
  repo.listProductsWithRelations(db, visible, 'price', anchoredPosition(byPrice.anchors, deep), 20),
);
await explain('count, all', () => repo.countProducts(db, visible));
for (const slug of [rootCategory as string, 'shoes']) {
  const category = { ...visible, categorySlug: slug };
  const inCategory = await repo.countWithAnchors(db, category, newest, ANCHOR_STEP);
  const middle = Math.floor(inCategory.count / 40) * 20; // the middle page
  await explain(`category ${slug} count`, () => repo.countProducts(db, category));
  await explain(`category ${slug} page 1`, () => repo.listProductsWithRelations(db, category, newest, { offset: 0 }, 20));
  await explain(`category ${slug} middle page, anchored`, () =>
    repo.listProductsWithRelations(db, category, newest, anchoredPosition(inCategory.anchors, middle), 20),
  );
}
for (const s of [search, typoSearch]) {
  const filter = { ...visible, search: s };
  await explain(`search "${s.text}" page 1, by relevance`, () =>
    repo.listProductsWithRelations(db, filter, undefined, { offset: 0 }, 20),
  );
  await explain(`search "${s.text}" count`, () => repo.countProducts(db, filter));
}
await explain('product detail', () => repo.productDetailBySlug(db, detailSlug as string, false));
await pool.end();
