// End-to-end harness of the admin UI: a real listening server (the test app on its own database) serving the
// built admin bundle, and one headless Debian Chromium per test file driven by playwright-core.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { findAdminBuild } from '../../src/core/admin-ui.js';
import type { App } from '../../src/core/module.js';
import { DEFAULT_PASSWORD } from '../factories/users.js';
import { createTestApp, type TestAppOptions } from '../setup/test-app.js';
import { freePort } from '../support/processes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Start-up (database clone, server, browser, sign-in) can take long on a loaded CI box. */
export const E2E_SETUP_TIMEOUT = 180_000;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ADMIN_SOURCES = ['admin/src', 'admin/index.html', 'admin/vite.config.ts'];

/** True when a file of the admin's sources changed after dist/admin was built (a stale bundle would be tested). */
function adminBuildIsStale(built: string): boolean {
  const builtAt = fs.statSync(path.join(built, 'index.html')).mtimeMs;
  const newer = (file: string): boolean => {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return fs.readdirSync(file).some((name) => newer(path.join(file, name)));
    return stat.mtimeMs > builtAt;
  };
  return ADMIN_SOURCES.some((source) => newer(path.join(root, source)));
}

/**
 * Builds dist/admin when CI's `npm run build` has not, or when admin/ changed since the last build (a lock
 * keeps parallel test files from racing; the check is repeated under it, so one file builds and the rest wait).
 */
export function ensureAdminBuilt(): void {
  const built = findAdminBuild();
  if (built && !adminBuildIsStale(built)) return;
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  const stale = `find ${ADMIN_SOURCES.join(' ')} -newer dist/admin/index.html | grep -q .`;
  const script = `if test ! -f dist/admin/index.html || ${stale}; then npx vite build --config admin/vite.config.ts --logLevel error; fi`;
  execFileSync('flock', [path.join(root, 'dist', '.admin-build.lock'), 'sh', '-c', script], { cwd: root, stdio: 'inherit' });
}

export interface AdminE2E {
  app: App;
  baseUrl: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen by the page: every test file asserts there are none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startAdminE2E(options: TestAppOptions = {}): Promise<AdminE2E> {
  ensureAdminBuilt();
  // media links are absolute (PUBLIC_URL): give the app its real address before it is built
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const app = await createTestApp({ ...options, env: { PUBLIC_URL: address, ...options.env } });
  await app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) pageErrors.push(`csp: ${text}`);
  });
  return {
    app,
    baseUrl: address,
    browser,
    context,
    page,
    pageErrors,
    async close() {
      await browser.close().catch(() => undefined);
      await app.close();
    },
  };
}

/** Signs in through the login screen and waits for the dashboard's menu. */
export async function signIn(e2e: AdminE2E, email: string, password = DEFAULT_PASSWORD, page = e2e.page) {
  await page.goto(`${e2e.baseUrl}/admin/login`);
  await page.getByLabel(/username/i).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
}

export async function signInAsStaff(e2e: AdminE2E, email: string, page = e2e.page) {
  await signIn(e2e, email, DEFAULT_PASSWORD, page);
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  await page.getByRole('menuitem', { name: /orders/i }).waitFor();
}

/** Waits for react-admin's notification and returns its text. */
export async function notification(page: Page): Promise<string> {
  const alert = page.locator('.RaNotification-root, [role="alert"]').first();
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}

/** Calls the API like a client would (inject: no network needed). */
export async function api<T = unknown>(
  app: App,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string> = {},
  payload?: unknown,
): Promise<{ status: number; json: T; body: string }> {
  const res = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  let json: unknown;
  try {
    json = res.json();
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json: json as T, body: res.body };
}

/** Lets the screen settle: finite animations (Material UI's fade-ins, dialog transitions) have finished. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY),
  );
}

let axeSource: string | undefined;
type AxeResult = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> };

/**
 * The serious and critical axe-core violations of the page as it is now (after it settled: half-faded text
 * is not a real contrast problem). axe is evaluated through the DevTools protocol, so the CSP stays strict.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await settled(page);
  axeSource ??= fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: (o: object) => Promise<unknown> } }).axe.run({ resultTypes: ['violations'] }),
  )) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
}
