// Latency of GET /api/v1/admin/stats/ on a seeded database with the cache emptied before every call, so each
// request computes the numbers (the 30 s cache would otherwise answer). Usage:
//   DATABASE_URL=... SECRET_KEY=... npx tsx bench/admin-stats.ts [runs]
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { queryRows, sql } from '../src/core/db.js';
import { startSession } from '../src/modules/accounts/accounts.tokens.js';
import { STATS_CACHE_KEY } from '../src/modules/admin/admin.stats.service.js';

const runs = Number(process.argv[2] ?? 20);
const app = await buildApp(loadConfig({ ...process.env, LOG_LEVEL: 'warn', API_RATE_LIMIT: '10000000' }));
await app.ready();
// a real session of a staff account (access tokens must belong to a live session): `npm run seed` makes one
const [staff] = await queryRows<{ id: string }>(app.ctx.db, sql`SELECT id FROM users WHERE is_staff LIMIT 1`);
if (!staff) throw new Error('no staff account: run `npm run seed` (or createsuperuser) first');
const token = (await startSession(app.ctx, app.ctx.db, { id: staff.id, isStaff: true, isSuperuser: false })).access;
const times: number[] = [];
for (let i = 0; i < runs + 2; i++) {
  await app.ctx.cache.del(STATS_CACHE_KEY);
  const started = performance.now();
  const res = await app.inject({ method: 'GET', url: '/api/v1/admin/stats/', headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  if (i >= 2) times.push(performance.now() - started); // two warm-up calls
}
const cachedStart = performance.now();
await app.inject({ method: 'GET', url: '/api/v1/admin/stats/', headers: { authorization: `Bearer ${token}` } });
const cached = performance.now() - cachedStart;
times.sort((a, b) => a - b);
const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]?.toFixed(1);
console.log(
  `stats (computed) over ${runs} runs: p50 ${pick(0.5)} ms, p95 ${pick(0.95)} ms, max ${pick(1)} ms; cached hit ${cached.toFixed(1)} ms`,
);
console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
await app.close();
