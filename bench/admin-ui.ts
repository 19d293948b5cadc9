// Admin UI numbers for docs/benchmarks.md: the initial JS of the built bundle (gzipped), and the time until
// the orders list is interactive (first rows rendered) in headless Chromium against a running server.
// Usage: npm run build; start a server; BENCH_URL=http://127.0.0.1:8000 BENCH_EMAIL=... BENCH_PASSWORD=...
//        npx tsx bench/admin-ui.ts
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { findAdminBuild } from '../src/core/admin-ui.js';

function bundleSizes() {
  const root = findAdminBuild();
  if (!root) throw new Error('dist/admin is missing: run npm run build');
  const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
  // initial JS = the entry script and what it preloads; lazy chunks (dashboard chart, import) load later
  const initial = [...html.matchAll(/(?:src|href)="\/admin\/assets\/([\w.-]+\.js)"/g)].map((m) => m[1] as string);
  const all = fs.readdirSync(path.join(root, 'assets')).filter((f) => f.endsWith('.js'));
  const size = (f: string) => {
    const bytes = fs.readFileSync(path.join(root, 'assets', f));
    return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  return { initial: initial.map(size), lazy: all.filter((f) => !initial.includes(f)).map(size) };
}

async function ordersListTti(base: string, email: string, password: string, runs: number) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // a fresh context each run: nothing cached in the browser (a first visit)
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/admin/login`);
      await page.getByLabel(/username/i).fill(email);
      await page.getByRole('textbox', { name: 'Password' }).fill(password);
      await page.getByRole('button', { name: /sign in/i }).click();
      await page.waitForURL((url) => !url.pathname.endsWith('/login'));
      // a full page load of the list in the signed-in tab (the session is in this tab's sessionStorage);
      // the bundle comes from the browser cache as it would for a member of staff
      const started = Date.now();
      await page.goto(`${base}/admin/orders`);
      await page.locator('tbody tr').first().waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Export CSV' }).waitFor();
      times.push(Date.now() - started);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return times;
}

const sizes = bundleSizes();
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log('initial JS:', sizes.initial.map((s) => `${s.file} ${kb(s.raw)} raw, ${kb(s.gzip)} gzip`).join('; '));
console.log('lazy chunks:', sizes.lazy.map((s) => `${s.file} ${kb(s.gzip)} gzip`).join('; '));
if (process.env.BENCH_URL) {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const times = await ordersListTti(
    process.env.BENCH_URL,
    process.env.BENCH_EMAIL ?? 'staff@emporium.local',
    process.env.BENCH_PASSWORD ?? 'staff-demo-pass',
    runs,
  );
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`orders list interactive (ms, ${runs} cold loads): ${times.join(', ')}; median ${sorted[Math.floor(runs / 2)]}`);
}
