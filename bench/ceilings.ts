// `npm run bench:ceilings`: Emporium's catalog reads measured against the machine's own ceilings, in one run.
// It starts three reference servers (bench/ceiling-servers.ts: bare Fastify, Fastify + one Redis GET,
// Fastify + one pg query) and, unless BENCH_URL names a running one, Emporium itself from dist/ on PostgreSQL +
// Redis; then runs every scenario in interleaved rounds and prints each median as a ratio to its ceiling.
//
//   BENCH_DATABASE_URL  seeded PostgreSQL (default postgres://postgres@127.0.0.1:5432/emporium_bench;
//                       seed it once: DATABASE_URL=... npm run seed -- --products 100000)
//   BENCH_REDIS_URL     (default redis://127.0.0.1:6379/9)
//   BENCH_URL           an Emporium already running (then its memory is not reported)
//   BENCH_NODE_OPTIONS  V8 flags for the Emporium process it starts (e.g. --max-old-space-size=128)
//   BENCH_ROUNDS (3), BENCH_DURATION seconds per scenario and round (10), BENCH_CONNECTIONS (50)
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Request } from 'autocannon';
import { median, visibleSlugsShuffled, waitHealthy } from './support.js';

const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/emporium_bench';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const children: ChildProcess[] = [];

/** Spawns a node process; resolves once a line of its stdout passes `ready` (rejects if it exits first). */
function start(args: string[], env: Record<string, string>, ready?: (line: string) => boolean) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (ready && output.split('\n').some(ready)) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`)));
  });
  started.catch(() => {}); // callers that wait on /health/ instead still see the exit through it
  return { child, started, output: () => output };
}

async function startEmporium(): Promise<{ url: string; child?: ChildProcess }> {
  if (process.env.BENCH_URL) return { url: process.env.BENCH_URL.replace(/\/$/, '') };
  const port = 8191;
  // BENCH_NODE_OPTIONS: V8 flags for Emporium only (e.g. the lean memory profile in docs/operations.md)
  const flags = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const { child, output } = start([...flags, '--enable-source-maps', 'dist/src/server.js'], {
    PORT: String(port),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SECRET_KEY: 'ceilings-bench-secret-0123456789abcdef',
    API_RATE_LIMIT: '10000000',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AMQP_URL: '',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-ceilings-')),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, output);
  return { url, child };
}

interface Page {
  count: number;
  results: { slug: string }[];
}
const getJson = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
};
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const varying = (path: () => string): Request[] => [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }];

async function run(url: string, requests: Request[]) {
  const result = await autocannon({ url, connections, duration, requests });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad: result.non2xx + result.errors };
}

const emporium = await startEmporium();
const first = await getJson<Page>(`${emporium.url}/api/v1/products/`);
if (first.count < 1000) {
  console.error(`only ${first.count} products at ${databaseUrl}: seed it first (npm run seed -- --products 100000)`);
}
const bodyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ceiling-')), 'body.json');
fs.writeFileSync(bodyFile, await fetch(`${emporium.url}/api/v1/products/`).then((r) => r.text()));
const references = { bare: 8192, redis: 8193, pg: 8194 } as const;
for (const [mode, port] of Object.entries(references)) {
  await start(
    ['--import', 'tsx', 'bench/ceiling-servers.ts', mode, String(port)],
    { CEILING_BODY_FILE: bodyFile, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
    (line) => line === 'ready',
  ).started;
}

// A miss must be one: every miss scenario asks only URLs not asked before in this run (a random ordering,
// page size 19-21 and page of the filter), and details walk every visible product once, in random order.
// Their count and page anchors, shared by every page of a filter and ordering, may be cached: that is the design.
const asked = new Set<string>();
function fresh(make: () => string): string {
  for (let i = 0; i < 100; i++) {
    const url = make();
    if (!asked.has(url)) {
      asked.add(url);
      return url;
    }
  }
  return make();
}
/** '' is the default order: newest first, or by relevance for a search. */
const ORDERINGS = ['', 'created_at', 'price', '-price', 'name', '-name'];
const SIZES = [19, 20, 21];
const slugs = await visibleSlugsShuffled(databaseUrl);
let nextSlug = 0;
const pages = Math.max(1, Math.floor(first.count / 21));
const words = ['lamp', 'oak', 'wool', 'steel', 'boots', 'vase', 'mat', 'backpack', 'headphones', 'sweater'];
const categories = ['electronics', 'clothing', 'home-and-kitchen', 'sports-and-outdoors', 'books', 'audio', 'shoes'];
const page = (n: number) => 1 + Math.floor(Math.random() * n);
/** Each query with its number of pages, so a random page is always a real one (never a 404). */
async function withPages(query: (value: string) => string, values: string[]) {
  const out: { query: string; pages: number }[] = [];
  for (const value of values) {
    const { count } = await getJson<Page>(`${emporium.url}/api/v1/products/?${query(value)}`);
    if (count > 0) out.push({ query: query(value), pages: Math.ceil(count / 21) });
  }
  return out;
}
const searches = await withPages((w) => `search=${w}`, words);
const inCategories = await withPages((c) => `category=${c}`, categories);
const somePage = (options: { query: string; pages: number }[]) =>
  fresh(() => {
    const chosen = pick(options);
    const ordering = pick(ORDERINGS);
    const params = [chosen.query, ordering && `ordering=${ordering}`, `page_size=${pick(SIZES)}`, `page=${page(chosen.pages)}`];
    return `/api/v1/products/?${params.filter(Boolean).join('&')}`;
  });

type Ceiling = keyof typeof references;
const scenarios: { name: string; url: string; requests: Request[]; ceiling?: Ceiling }[] = [
  {
    name: 'ceiling: bare Fastify, 20 KB body from memory',
    url: `http://127.0.0.1:${references.bare}`,
    requests: [{ method: 'GET', path: '/' }],
  },
  {
    name: 'ceiling: Fastify + one Redis GET',
    url: `http://127.0.0.1:${references.redis}`,
    requests: [{ method: 'GET', path: '/' }],
    ceiling: 'bare',
  },
  {
    name: 'ceiling: Fastify + one pg query',
    url: `http://127.0.0.1:${references.pg}`,
    requests: [{ method: 'GET', path: '/' }],
    ceiling: 'bare',
  },
  {
    name: 'list, cached (same URL)',
    url: emporium.url,
    requests: [{ method: 'GET', path: '/api/v1/products/' }],
    ceiling: 'redis',
  },
  {
    name: 'list, miss (a page not asked before)',
    url: emporium.url,
    requests: varying(() => somePage([{ query: '', pages }])),
    ceiling: 'pg',
  },
  {
    name: 'search, miss',
    url: emporium.url,
    requests: varying(() => somePage(searches)),
    ceiling: 'pg',
  },
  {
    name: 'category, miss',
    url: emporium.url,
    requests: varying(() => somePage(inCategories)),
    ceiling: 'pg',
  },
  {
    name: 'detail, miss',
    url: emporium.url,
    requests: varying(() => `/api/v1/products/${slugs[nextSlug++ % slugs.length]}/`),
    ceiling: 'pg',
  },
];

const results = new Map<string, { rps: number[]; p50: number[]; p99: number[]; bad: number }>();
try {
  for (let round = 1; round <= rounds; round++) {
    for (const s of scenarios) {
      const r = await run(s.url, s.requests);
      const acc = results.get(s.name) ?? { rps: [], p50: [], p99: [], bad: 0 };
      acc.rps.push(r.rps);
      acc.p50.push(r.p50);
      acc.p99.push(r.p99);
      acc.bad += r.bad;
      results.set(s.name, acc);
      console.log(`round ${round}: ${s.name}: ${r.rps.toFixed(0)} req/s${r.bad ? `, ${r.bad} failed` : ''}`);
    }
  }
  const rps = (name: string) => median(results.get(name)?.rps ?? [0]);
  const ceilingName: Record<Ceiling, string> = {
    bare: scenarios[0]?.name as string,
    redis: scenarios[1]?.name as string,
    pg: scenarios[2]?.name as string,
  };
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `${rounds} interleaved rounds x ${duration} s, ${connections} connections, medians; ${first.count} visible products\n`,
  );
  console.log('| scenario | req/s | p50 | p99 | failed | ratio to ceiling |\n| --- | ---: | ---: | ---: | ---: | --- |');
  for (const s of scenarios) {
    const r = results.get(s.name);
    if (!r) continue;
    const ratio = s.ceiling ? `${((100 * rps(s.name)) / rps(ceilingName[s.ceiling])).toFixed(1)}% of ${s.ceiling}` : '';
    console.log(`| ${s.name} | ${rps(s.name).toFixed(0)} | ${median(r.p50)} ms | ${median(r.p99)} ms | ${r.bad} | ${ratio} |`);
  }
  const cachedVsBare = (100 * rps('list, cached (same URL)')) / rps(ceilingName.bare);
  console.log(`\nlist, cached: ${cachedVsBare.toFixed(1)}% of the bare ceiling`);
  if (emporium.child?.pid) {
    const kb = fs.readFileSync(`/proc/${emporium.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    console.log(`Emporium RSS after the run: ${kb ? Math.round(Number(kb) / 1024) : '?'} MB`);
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
}
