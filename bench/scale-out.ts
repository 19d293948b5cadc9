// `npm run bench:scale-out`: API processes are stateless, so more of them behind Nginx serve more. Starts 1, then
// 2 (BENCH_PROCESSES) Emporium API processes from dist/ on PostgreSQL + Redis, a private Nginx in front of them
// (the upstream keep-alive and proxy settings of deploy/nginx.conf, on a free port; the system's Nginx is never
// touched), runs autocannon against Nginx for a cached list URL and for detail misses (each request a product
// not asked before), and prints req/s per process count and the ratio to one process.
//
//   BENCH_DATABASE_URL  seeded PostgreSQL (default postgres://postgres@127.0.0.1:5432/emporium_bench;
//                       seed it once: DATABASE_URL=... npm run seed -- --products 100000)
//   BENCH_REDIS_URL     a Redis database of its own, FLUSHED before each process count so each starts cold
//                       (default redis://127.0.0.1:6379/10; refuses database 0)
//   BENCH_PROCESSES (1,2), BENCH_ROUNDS (3), BENCH_DURATION seconds per scenario and round (10), BENCH_CONNECTIONS (50),
//   BENCH_WARMUP seconds of each scenario, unrecorded, after the processes start (3: JIT and pools warm),
//   BENCH_DIRECT=0 skips the reference column "1 process, no Nginx" (what the proxy hop costs)
//   NGINX (/usr/sbin/nginx)
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Request } from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, median, visibleSlugsShuffled, waitHealthy } from './support.js';

const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/emporium_bench';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/10';
const counts = (process.env.BENCH_PROCESSES ?? '1,2').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const warmup = Number(process.env.BENCH_WARMUP ?? 3);
const direct = process.env.BENCH_DIRECT !== '0';
const nginxBin = process.env.NGINX ?? '/usr/sbin/nginx';
const children: ChildProcess[] = [];
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-scale-out-'));
fs.chmodSync(prefix, 0o755); // Nginx workers run as nobody when started as root

if (!/\/([1-9]\d*)$/.test(new URL(redisUrl).pathname)) {
  console.error(`BENCH_REDIS_URL must name a Redis database other than 0 (it is flushed): ${redisUrl}`);
  process.exit(2);
}

function spawnLogged(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function startApi(port: number) {
  const { child, output } = spawnLogged(process.execPath, ['--enable-source-maps', 'dist/src/server.js'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SECRET_KEY: 'scale-out-bench-secret-0123456789abcdef',
    API_RATE_LIMIT: '10000000',
    TRUST_PROXY: 'true',
    MIGRATE_ON_START: 'false', // the seeded database is migrated; N processes must not race for it
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AMQP_URL: '',
    DATA_DIR: fs.mkdtempSync(path.join(prefix, 'data-')),
  });
  await waitHealthy(`http://127.0.0.1:${port}`, child, output);
  return child;
}

/** deploy/nginx.conf's upstream (keepalive 32) and `location /` proxy settings, on our own port and files. */
function nginxConfig(listen: number, apiPorts: number[]) {
  return `daemon off;
worker_processes auto;
pid ${prefix}/nginx.pid;
error_log ${prefix}/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    upstream emporium_api {
${apiPorts.map((p) => `        server 127.0.0.1:${p};`).join('\n')}
        keepalive 32;
    }
    server {
        listen 127.0.0.1:${listen};
        client_max_body_size 10m;
        gzip on;
        gzip_comp_level 5;
        gzip_min_length 512;
        gzip_proxied any;
        gzip_vary on;
        gzip_types application/json application/problem+json text/plain;
        location / {
            proxy_pass http://emporium_api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            proxy_read_timeout 60s;
            proxy_max_temp_file_size 0; # never a temp file under the private prefix
        }
    }
}
`;
}

async function startNginx(apiPorts: number[]) {
  const port = await freePort();
  const file = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(file, nginxConfig(port, apiPorts));
  const { child, output } = spawnLogged(nginxBin, ['-c', file, '-p', prefix]);
  await waitHealthy(
    `http://127.0.0.1:${port}`,
    child,
    () => `${output()}${fs.readFileSync(`${prefix}/nginx-error.log`, 'utf8')}`,
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

async function flushCache() {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
}

const slugs = await visibleSlugsShuffled(databaseUrl); // each detail request asks for one not asked before
if (slugs.length < 1000)
  console.error(`only ${slugs.length} products at ${databaseUrl}: seed it first (npm run seed -- --products 100000)`);
let nextSlug = 0;
let wrapped = false;
const freshSlug = () => {
  if (nextSlug >= slugs.length) wrapped = true;
  return slugs[nextSlug++ % slugs.length] as string;
};
const scenarios: { name: string; requests: Request[] }[] = [
  { name: 'list, cached (same URL)', requests: [{ method: 'GET', path: '/api/v1/products/' }] },
  {
    name: 'detail, miss (a new product each request)',
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/products/${freshSlug()}/` }) }],
  },
];
const results = new Map<string, number[]>(); // `${processes or "direct"}|${scenario}` -> req/s per round
const failures = new Map<string, number>();

async function measure(label: string, url: string, s: (typeof scenarios)[number], round: number) {
  const r = await autocannon({ url, connections, duration, requests: s.requests });
  const key = `${label}|${s.name}`;
  results.set(key, [...(results.get(key) ?? []), r.requests.average]);
  failures.set(key, (failures.get(key) ?? 0) + r.non2xx + r.errors);
  const who = label === 'direct' ? '1 process, no Nginx' : `${label} process(es), Nginx`;
  console.log(`${who}, round ${round}: ${s.name}: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms`);
}

try {
  for (const n of counts) {
    await flushCache(); // every process count starts with a cold cache
    const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
    const apis = await Promise.all(ports.map((port) => startApi(port)));
    const nginx = await startNginx(ports);
    await fetch(`${nginx.url}/api/v1/products/`); // the cached scenario's page, built once
    for (const s of scenarios)
      if (warmup > 0) await autocannon({ url: nginx.url, connections, duration: warmup, requests: s.requests });
    for (let round = 1; round <= rounds; round++) {
      for (const s of scenarios) {
        await measure(String(n), nginx.url, s, round);
        if (direct && n === 1) await measure('direct', `http://127.0.0.1:${ports[0]}`, s, round);
      }
    }
    await stop(nginx.child);
    for (const api of apis) await stop(api);
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load ${load}`);
  console.log(
    `${rounds} rounds x ${duration} s, ${connections} connections, medians; through Nginx (${nginxBin}, worker_processes auto)`,
  );
  console.log(
    `Note: on this ${os.cpus().length}-core box the load generator (autocannon, in this process), Nginx, PostgreSQL and Redis share the cores with the API processes, so N processes cannot reach N times one; the ratio shows how much of the box one process leaves unused.\n`,
  );
  const labels = [...(direct && counts.includes(1) ? ['direct'] : []), ...counts.map(String)];
  const heading = (label: string) =>
    label === 'direct' ? '1 process, no Nginx' : `${label} process${label === '1' ? '' : 'es'}, Nginx`;
  console.log(`| scenario | ${labels.map(heading).join(' | ')} | ${counts.at(-1)} vs ${counts[0]} |`);
  console.log(`| --- | ${labels.map(() => '---:').join(' | ')} | ---: |`);
  for (const s of scenarios) {
    const rps = (label: string) => median(results.get(`${label}|${s.name}`) ?? [0]);
    const failed = labels.reduce((sum, label) => sum + (failures.get(`${label}|${s.name}`) ?? 0), 0);
    const ratio = rps(String(counts.at(-1))) / rps(String(counts[0]));
    const cells = labels.map((label) => rps(label).toFixed(0)).join(' | ');
    console.log(`| ${s.name}${failed ? ` (${failed} failed)` : ''} | ${cells} | ${ratio.toFixed(2)}x |`);
  }
  if (wrapped) console.log('\n(detail slugs ran out and wrapped: the last detail requests were partly cache hits)');
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  fs.rmSync(prefix, { recursive: true, force: true });
}
