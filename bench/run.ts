// `npm run bench`: autocannon scenarios against an already running server (it starts nothing itself).
//   BENCH_URL (default http://127.0.0.1:8000), BENCH_DURATION seconds per scenario (10),
//   BENCH_CONNECTIONS (10), BENCH_ONLY=name,name to run some scenarios.
// Run the server with API_RATE_LIMIT high enough (e.g. 10000000), or most answers are 429s.
// Prints requests/s and latency p50/p99 per scenario; "cached" scenarios repeat URLs the catalog cache
// holds, "uncached" ones pick random pages/slugs so most requests reach the database.
import autocannon, { type Request } from 'autocannon';

const base = (process.env.BENCH_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

interface ProductSummary {
  id: string;
  slug: string;
}
interface ListPage {
  count: number;
  results: ProductSummary[];
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
/** Same format the API uses for keyset cursors: base64url JSON `{k: <product id>}`. */
const cursorAfter = (id: string) => Buffer.from(JSON.stringify({ k: id })).toString('base64url');
const varying = (path: () => string): Request[] => [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }];

/** An access token of the demo customer (BENCH_EMAIL/BENCH_PASSWORD), for the authenticated scenarios. */
async function accessToken(): Promise<string | undefined> {
  const res = await fetch(`${base}/api/v1/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: process.env.BENCH_EMAIL ?? 'customer@emporium.local',
      password: process.env.BENCH_PASSWORD ?? 'customer-demo-pass',
    }),
  });
  if (!res.ok) {
    console.log(`no authenticated scenarios: login answered ${res.status}`);
    return undefined;
  }
  return ((await res.json()) as { access: string }).access;
}

async function scenarios(): Promise<Record<string, Request[]>> {
  const first = await getJson<ListPage>('/api/v1/products/?page_size=100');
  const total = first.count;
  const lastPage = Math.max(1, Math.ceil(total / 20));
  const deepFrom = Math.max(1, Math.floor(lastPage * 0.9));
  const deep = await getJson<ListPage>(`/api/v1/products/?page_size=100&page=${Math.max(1, Math.floor(total / 100) - 1)}`);
  const deepIds = deep.results.map((p) => p.id);
  const slugs = first.results.map((p) => p.slug);
  const allSlugs: string[] = [];
  for (let page = 1; page <= 20; page++) {
    const some = await getJson<ListPage>(
      `/api/v1/products/?page_size=100&ordering=name&page=${page * Math.floor(lastPage / 100)}`,
    );
    allSlugs.push(...some.results.map((p) => p.slug));
  }
  const terms = [
    'headphones',
    'oak',
    'wool sweater',
    'lamp',
    'travel backpack',
    'steel',
    'yoga mat',
    'ceramic vase',
    'boots',
    'laptop',
  ];
  const words = [...new Set(first.results.flatMap((p) => p.slug.split('-').filter((w) => /^[a-z]{3,}$/.test(w))))];
  const typos = ['hedphones', 'lapto', 'sweter', 'backpak', 'lantren', 'candel'];
  const size = (from: number, to: number) => from + Math.floor(Math.random() * (to - from + 1));
  console.log(`catalog: ${total} products; deep pages from ${deepFrom} of ${lastPage}; ${words.length} search words`);
  const token = await accessToken();
  const authorized = (path: string): Request[] =>
    token ? [{ method: 'GET', path, headers: { authorization: `Bearer ${token}` } }] : [];
  // "cached": a handful of URLs the catalog cache serves after the first hit. "misses": thousands of distinct
  // URLs (random page sizes), so most requests in a 10 s run reach the database.
  return {
    'list first page (cached)': [{ method: 'GET', path: '/api/v1/products/' }],
    // the access token's session is checked on every authenticated request (one cache read)
    'list first page, authenticated (cached)': authorized('/api/v1/products/'),
    'users/me, authenticated': authorized('/api/v1/users/me/'),
    'list filtered (cached)': [
      { method: 'GET', path: '/api/v1/products/?category=electronics&min_price=20&max_price=150&in_stock=true&ordering=-price' },
    ],
    'search, 10 terms (cached)': varying(() => `/api/v1/products/?search=${encodeURIComponent(pick(terms))}`),
    'detail, 100 slugs (cached)': varying(() => `/api/v1/products/${pick(slugs)}/`),
    'list first page (misses)': varying(() => `/api/v1/products/?page_size=${size(1, 100)}&ordering=${pick(orderings)}`),
    'list filtered (misses)': varying(
      () =>
        `/api/v1/products/?category=${pick(categories)}&in_stock=true&min_price=${size(1, 100)}&ordering=price&page_size=${size(10, 30)}`,
    ),
    'search (misses)': varying(() => `/api/v1/products/?search=${pick(words)}&page_size=${size(1, 100)}`),
    'search with typo (misses)': varying(() => `/api/v1/products/?search=${pick(typos)}&page_size=${size(1, 100)}`),
    'deep page, OFFSET (misses)': varying(
      () => `/api/v1/products/?page=${size(deepFrom, lastPage - 1)}&page_size=${size(18, 20)}`,
    ),
    'deep page, keyset cursor (misses)': varying(
      () => `/api/v1/products/?cursor=${cursorAfter(pick(deepIds))}&page_size=${size(1, 100)}`,
    ),
    'detail (misses)': varying(() => `/api/v1/products/${pick(allSlugs)}/`),
  };
}

const orderings = ['price', '-price', 'created_at', '-created_at', 'name', '-name', '-rating'];
const categories = ['electronics', 'clothing', 'home-and-kitchen', 'sports-and-outdoors', 'books', 'audio', 'shoes', 'decor'];

const ms = (value: number) => `${value.toFixed(1)} ms`;

// checkout scenario: real PostgreSQL only (DATABASE_URL); it hosts its own app on a throw-away database
if (process.env.DATABASE_URL && (!only || only.includes('checkout'))) {
  const { reportCheckoutBench, runCheckoutBench } = await import('./checkout.js');
  reportCheckoutBench(
    await runCheckoutBench({
      buyers: [connections],
      seconds: duration,
      stock: 200,
      pool: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    }),
  );
  if (only?.every((o) => o === 'checkout')) process.exit(0);
}

const all = await scenarios();
const rows: string[][] = [];
for (const [name, requests] of Object.entries(all)) {
  if ((only && !only.some((o) => name.includes(o))) || requests.length === 0) continue;
  const result = await autocannon({ url: base, connections, duration, requests });
  const bad = result.non2xx + result.errors + result.timeouts;
  rows.push([name, result.requests.average.toFixed(0), ms(result.latency.p50), ms(result.latency.p99), String(bad)]);
  console.log(
    `${name}: ${result.requests.average.toFixed(0)} req/s, p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}${bad ? `, ${bad} failed` : ''}`,
  );
}
console.log(`\n${connections} connections, ${duration} s per scenario, ${base}\n`);
console.log('| scenario | req/s | p50 | p99 | non-2xx/errors |\n| --- | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
