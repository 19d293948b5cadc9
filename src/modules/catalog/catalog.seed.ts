// Demo catalog for `npm run seed`: a nested category tree, N products with 1-3 variants each and reviews by
// the demo users. Products, variants and reviews are made by a few INSERT ... SELECT generate_series
// statements, so 100k products take seconds, not one round trip per row. Safe to run twice (existing
// rows are kept; a larger N adds the missing products).
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import { type Db, queryRows } from '../../core/db.js';
import { invalidateCatalog } from './catalog.cache.js';
import { categories } from './catalog.tables.js';

type Tree = Record<string, Record<string, string[]> | string[]>;

/** root -> child -> leaf nouns, or root -> nouns when the root is a leaf. */
const TREE: Record<string, Tree | string[]> = {
  Electronics: {
    Audio: { Headphones: ['Headphones', 'Earbuds', 'Headset'], Speakers: ['Speaker', 'Soundbar', 'Subwoofer'] },
    Computers: { Laptops: ['Laptop', 'Notebook', 'Ultrabook'], 'Computer Accessories': ['Keyboard', 'Mouse', 'Monitor Stand'] },
    Phones: { Smartphones: ['Smartphone', 'Phone'], 'Phone Cases': ['Phone Case', 'Screen Protector'] },
  },
  Clothing: {
    Men: { 'Men Shirts': ['Shirt', 'Polo', 'Tee'], 'Men Jackets': ['Jacket', 'Parka', 'Blazer'] },
    Women: { Dresses: ['Dress', 'Skirt'], Sweaters: ['Sweater', 'Cardigan', 'Hoodie'] },
    Shoes: ['Sneakers', 'Boots', 'Sandals', 'Loafers'],
  },
  'Home & Kitchen': {
    Cookware: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Knife Set'],
    Furniture: ['Chair', 'Desk', 'Bookshelf', 'Side Table'],
    Decor: ['Vase', 'Lamp', 'Rug', 'Candle'],
  },
  'Sports & Outdoors': {
    Camping: ['Tent', 'Sleeping Bag', 'Lantern', 'Backpack'],
    Fitness: ['Yoga Mat', 'Dumbbell', 'Kettlebell', 'Jump Rope'],
    Cycling: ['Bike Helmet', 'Bike Light', 'Water Bottle'],
  },
  Books: { Fiction: ['Novel', 'Short Stories'], 'Non-fiction': ['Cookbook', 'Field Guide', 'Biography'] },
  'Toys & Games': { 'Board Games': ['Board Game', 'Card Game'], Puzzles: ['Jigsaw Puzzle', 'Puzzle Box'] },
  Beauty: { Skincare: ['Face Cream', 'Serum', 'Cleanser'], Fragrance: ['Perfume', 'Cologne'] },
};

const ADJECTIVES = [
  'Classic',
  'Modern',
  'Compact',
  'Deluxe',
  'Everyday',
  'Premium',
  'Rugged',
  'Slim',
  'Vintage',
  'Wireless',
  'Eco',
  'Travel',
  'Studio',
  'Pro',
  'Lightweight',
  'Handmade',
  'Urban',
  'Nordic',
  'Heritage',
  'Essential',
];
const MATERIALS = [
  'Oak',
  'Steel',
  'Cotton',
  'Wool',
  'Leather',
  'Bamboo',
  'Ceramic',
  'Linen',
  'Carbon',
  'Walnut',
  'Canvas',
  'Glass',
];
const FEATURES = [
  'Built to last for years of daily use.',
  'Ships in recyclable packaging.',
  'Backed by a two-year warranty.',
  'Designed in small batches.',
  'Easy to clean and maintain.',
  'A favourite of our customers.',
  'Tested by our own team.',
];
const REVIEW_TITLES = ['Love it', 'Great value', 'As described', 'Would buy again', 'Solid quality', 'Does the job', 'Nice gift'];

/** A PostgreSQL array literal of plain words (no quotes or backslashes in them). */
const pgArray = (words: string[]) => `{${words.map((w) => `"${w}"`).join(',')}}`;

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

interface Leaf {
  slug: string;
  nouns: string[];
}

/** Inserts the category tree (existing slugs kept) and returns the leaves with their product nouns. */
async function seedCategories(db: Db): Promise<Leaf[]> {
  const leaves: Leaf[] = [];
  const rows: { name: string; slug: string; parent?: string; position: number }[] = [];
  const walk = (node: Tree | string[], parent: string | undefined) => {
    if (Array.isArray(node)) {
      if (parent) leaves.push({ slug: parent, nouns: node });
      return;
    }
    Object.entries(node).forEach(([name, child], position) => {
      rows.push({ name, slug: slugOf(name), parent, position });
      walk(child, slugOf(name));
    });
  };
  walk(TREE as Tree, undefined);
  for (const row of rows) {
    const parentId = row.parent ? sql`(select id from categories where slug = ${row.parent})` : sql`null`;
    await db.execute(sql`insert into ${categories} (name, slug, parent_id, position, description)
      values (${row.name}, ${row.slug}, ${parentId}, ${row.position}, ${`${row.name} from the demo catalog.`})
      on conflict (slug) do nothing`);
  }
  return leaves;
}

/** Products by INSERT ... SELECT generate_series, with their kept rating and in-stock count computed in the same pass. */
async function insertDemoProducts(tx: Db, n: number, leaves: Leaf[], currency: string): Promise<void> {
  // h is a cheap deterministic hash of the row number, so a rerun makes the same catalog
  await tx.execute(sql`
    with leaves as (
      select (ord - 1)::int as i, c.id, l.nouns
      from jsonb_array_elements(${JSON.stringify(leaves)}::jsonb) with ordinality as l0(leaf, ord)
      cross join lateral (select l0.leaf->>'slug' as slug, l0.leaf->'nouns' as nouns) l
      join categories c on c.slug = l.slug
    ),
    words as (select ${pgArray(ADJECTIVES)}::text[] as adj, ${pgArray(MATERIALS)}::text[] as mat, ${pgArray(FEATURES)}::text[] as feat),
    rows as (
      select g, (g::bigint * 2654435761) % 4294967296 as h from generate_series(1, ${n}::int) g
    ),
    reviewers as (select row_number() over (order by email) + 2 as k from users where email like '%@emporium.local')
    insert into products (name, slug, sku, description, price, compare_at_price, currency, category_id,
                          is_active, is_featured, average_rating, review_count, in_stock_variants, created_at, updated_at)
    select name, regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g') || '-' || g, 'DEMO-' || lpad(g::text, 7, '0'),
           'A ' || lower(adj) || ' ' || lower(noun) || ' in ' || lower(mat) || '. ' || feat1 || ' ' || feat2,
           price, case when h % 5 = 0 then price + price / 4 end, ${currency}, leaf_id,
           h % 50 <> 0, h % 20 = 0, coalesce(rated.avg, 0), rated.n, stocked.n, ts, ts
    from (
      select r.g, r.h, leaves.id as leaf_id,
             w.adj[(1 + (r.h / 7) % array_length(w.adj, 1))::int] as adj,
             w.mat[(1 + (r.h / 131) % array_length(w.mat, 1))::int] as mat,
             w.feat[(1 + (r.h / 13) % array_length(w.feat, 1))::int] as feat1,
             w.feat[(1 + (r.h / 17 + 1) % array_length(w.feat, 1))::int] as feat2,
             leaves.nouns->>((r.h / 3) % jsonb_array_length(leaves.nouns))::int as noun,
             ((r.h / 11) % 300) * 100 + 99 as price,
             now() - make_interval(mins => ${n}::int - r.g) as ts
      from rows r cross join words w
      join leaves on leaves.i = r.g % (select count(*) from leaves)
    ) s
    cross join lateral (select adj || ' ' || mat || ' ' || noun as name) nm
    -- the same formula as the reviews insert below, so the kept average needs no second pass over products
    cross join lateral (select round(avg((2 + (s.h / (k * 7)) % 4)::int), 2) as avg, count(*)::int as n
                        from reviewers where (s.h / k) % 3 <> 0) rated
    -- the same stock formula as the variants insert below
    cross join lateral (select count(*)::int as n from generate_series(1, 1 + (s.h % 3)::int) v
                        where ((s.h * v) / 7) % 40 > 0) stocked
    on conflict do nothing`);
}

/** One to three variants per demo product that has none yet. */
async function insertDemoVariants(tx: Db): Promise<void> {
  await tx.execute(sql`
    insert into product_variants (product_id, sku, name, options, price, stock_quantity, low_stock_threshold, position)
    select p.id, p.sku || '-' || v, opt.size || ' / ' || opt.color, jsonb_build_object('size', opt.size, 'color', opt.color),
           case when v = 3 then p.price + 500 end, ((h * v) / 7) % 40, 5, v - 1
    from (select id, sku, price, (substr(sku, 6)::bigint * 2654435761) % 4294967296 as h from products
          where sku like 'DEMO-%' and not exists (select 1 from product_variants pv where pv.product_id = products.id)) p
    cross join lateral generate_series(1, 1 + (p.h % 3)::int) v
    cross join lateral (select (array['S', 'M', 'L'])[v] as size,
                               (array['Black', 'White', 'Navy', 'Sand', 'Olive'])[(1 + (p.h / 5) % 5)::int] as color) opt
    on conflict (sku) do nothing`);
}

/** Reviews by the demo users, with the same rating formula the products insert averaged. */
async function insertDemoReviews(tx: Db): Promise<void> {
  await tx.execute(sql`
    insert into reviews (product_id, user_id, author_name, rating, title, body, is_verified_purchase, created_at, updated_at)
    select p.id, u.id, u.first_name || ' ' || left(u.last_name, 1) || '.', (2 + (p.h / (u.k * 7)) % 4)::int,
           (${pgArray(REVIEW_TITLES)}::text[])[(1 + (p.h / (u.k + 2)) % ${REVIEW_TITLES.length})::int],
           'Bought this ' || (1 + p.h % 11) || ' weeks ago. ' || case when p.h % 2 = 0 then 'Happy with it.' else 'Good for the price.' end,
           false, p.created_at, p.created_at
    from (select id, created_at, (substr(sku, 6)::bigint * 2654435761) % 4294967296 as h from products where sku like 'DEMO-%') p
    cross join (select id, first_name, last_name, row_number() over (order by email) + 2 as k
                from users where email like '%@emporium.local') u
    where (p.h / u.k) % 3 <> 0
    on conflict do nothing`);
}

/** Brings average_rating and review_count in step with the reviews (products that existed before the seed). */
async function refreshRatings(tx: Db): Promise<void> {
  await tx.execute(sql`
    update products p set average_rating = s.avg, review_count = s.n
    from (select product_id, round(avg(rating), 2) as avg, count(*)::int as n from reviews group by product_id) s
    where s.product_id = p.id and (p.review_count <> s.n or p.average_rating <> s.avg)`);
}

/** Builds the demo catalog; `products` is the number of demo products wanted in total. */
export async function seedCatalog(ctx: AppContext, options: { products: number }): Promise<void> {
  const n = options.products;
  if (n <= 0) return;
  const leaves = await seedCategories(ctx.db);
  const currency = ctx.config.currency;
  const started = Date.now();
  const step = (name: string) => ctx.log.info({ step: name, ms: Date.now() - started }, 'catalog seed');
  await ctx.db.transaction(async (tx) => {
    // in_stock_variants is computed in the products insert below; firing the per-row trigger 200k times
    // would cost more than the whole load (the ALTER holds a lock on product_variants until commit)
    await tx.execute(sql`alter table product_variants disable trigger product_variants_in_stock`);
    await insertDemoProducts(tx, n, leaves, currency);
    step('products');
    await insertDemoVariants(tx);
    step('variants');
    await insertDemoReviews(tx);
    step('reviews');
    await tx.execute(sql`alter table product_variants enable trigger product_variants_in_stock`);
    await refreshRatings(tx);
  });
  step('ratings');
  await analyzeCatalog(ctx.db);
  step('analyze');
  await invalidateCatalog(ctx, { categories: true });
}

/** Fresh statistics and visibility map, so the planner picks the list indexes (index-only counts) after a bulk load. */
async function analyzeCatalog(db: Db): Promise<void> {
  await queryRows(db, sql`vacuum analyze products`);
  await queryRows(db, sql`vacuum analyze product_variants`);
  await queryRows(db, sql`vacuum analyze reviews`);
}
