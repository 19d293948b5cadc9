// A first start's embedded database (from a migrated template when there is one), and what `npm start` tells the
// person who ran it: a note while the embedded database is created, and once listening, where everything is
// and which demo accounts exist. The banner text is built by pure functions so tests can check it without a server.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { AppContext } from './core/context.js';
import { migrationsFolder, openDatabase } from './core/db.js';
import type { App } from './core/module.js';
import { DEMO_USERS } from './modules/accounts/accounts.seed.js';
import { existingEmails } from './modules/accounts/accounts.service.js';

// The embedded-database template: PGlite creating a data directory (its initdb, in WebAssembly) costs 7-15 s
// here, far more than anything else in a first start, and it gives the same bytes every time. So a migrated,
// empty data directory is dumped once per set of migrations (by `npm ci`'s postinstall, scripts/prepare.mjs,
// or the first run of the test suite) into dist/pglite/, and a first start on an empty DATA_DIR loads that dump
// (about 1-2 s) instead. Without a template (or after a new migration) the first start creates the database
// itself, as before, and the migrations bring it up to date either way.
const templateDir = path.resolve(migrationsFolder, '../..', 'dist', 'pglite');

/** The installed PGlite's version (its package.json is not in its exports: found above its entry point). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

/** The template file for the current migrations and PGlite version (a new migration gives a new name). */
export function pgliteTemplatePath(): string {
  const hash = createHash('sha1');
  hash.update(pgliteVersion());
  for (const dir of [migrationsFolder, path.join(migrationsFolder, 'meta')]) {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isFile()) hash.update(name).update(fs.readFileSync(file));
    }
  }
  return path.join(templateDir, `template-${hash.digest('hex').slice(0, 16)}.tar`);
}

/**
 * Makes the template for the current migrations unless it exists (an in-memory database, migrated, dumped);
 * removes templates of older migrations. Safe to run concurrently: the file appears complete or not at all.
 */
export async function ensurePgliteTemplate(): Promise<{ file: string; created: boolean }> {
  const file = pgliteTemplatePath();
  if (fs.existsSync(file)) return { file, created: false };
  const database = await openDatabase({});
  try {
    await database.migrate();
    const dump = await (database.dump as () => Promise<Blob>)();
    fs.mkdirSync(templateDir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(partial, file);
  } finally {
    await database.close();
  }
  for (const name of fs.readdirSync(templateDir))
    if (name.startsWith('template-') && name.endsWith('.tar') && path.join(templateDir, name) !== file)
      fs.rmSync(path.join(templateDir, name), { force: true });
  return { file, created: true };
}

/**
 * Before the app opens the embedded database: when DATA_DIR has none yet, creates it from the template if there
 * is one for these migrations (logging either way, as a first start is the slow one).
 */
export async function prepareEmbeddedDatabase(config: Config, log: Logger): Promise<void> {
  if (config.databaseUrl) return;
  const pgdata = path.join(config.dataDir, 'pgdata');
  if (fs.existsSync(path.join(pgdata, 'PG_VERSION'))) return;
  const template = pgliteTemplatePath();
  if (!fs.existsSync(template)) {
    log.info({ pgdata }, 'first start: creating the embedded database (once; this takes a while)');
    return;
  }
  const started = Date.now();
  log.info({ pgdata }, 'first start: creating the embedded database from its template');
  const database = await openDatabase({ dataDir: pgdata, loadDataDir: new Blob([fs.readFileSync(template)]) });
  await database.close();
  log.info(`embedded database created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface BannerInput {
  baseUrl: string;
  nodeEnv: Config['nodeEnv'];
  database: string;
  adminAvailable: boolean;
  /** Demo accounts present in the database (email, password as seeded, role). */
  demoAccounts: { email: string; password: string; role: string }[];
}

/** The lines printed once the server listens. Demo accounts only outside production: their passwords are public. */
export function startupBanner(input: BannerInput): string {
  const urls: [string, string][] = [
    ['API', `${input.baseUrl}/api/v1/`],
    ['API docs', `${input.baseUrl}/api/docs/`],
    ['OpenAPI', `${input.baseUrl}/api/schema/`],
    ...(input.adminAvailable ? [['Admin', `${input.baseUrl}/admin/`] as [string, string]] : []),
    ['Health', `${input.baseUrl}/health/`],
  ];
  const lines = [`Emporium is ready (${input.nodeEnv}, ${input.database})`, ...urls.map(([k, v]) => `  ${k.padEnd(9)} ${v}`)];
  if (input.nodeEnv !== 'production' && input.demoAccounts.length) {
    lines.push('  Demo accounts (not created in production):');
    for (const a of input.demoAccounts) lines.push(`    ${a.role.padEnd(9)} ${a.email.padEnd(26)} ${a.password}`);
  }
  return lines.join('\n');
}

/** The address a person can open: the listening port, on localhost when listening on every interface. */
export function localBaseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

async function presentDemoAccounts(ctx: AppContext): Promise<BannerInput['demoAccounts']> {
  const emails = DEMO_USERS.map((u) => u.email);
  const present = new Set(await existingEmails(ctx.db, emails));
  return DEMO_USERS.filter((u) => present.has(u.email)).map((u) => ({
    email: u.email,
    password: u.password,
    role: u.isSuperuser ? 'admin' : u.isStaff ? 'staff' : 'customer',
  }));
}

/**
 * Once listening: outside production, prints the banner for a person; in production, one structured log line
 * with the URLs (no demo accounts, and log collectors get JSON only).
 */
export async function announceStartup(app: App, config: Config): Promise<void> {
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = localBaseUrl(config.host, port);
  // the admin bundle is optional (built separately): ask the app whether it serves /admin/ rather than guess a path
  const admin = await app.inject({ method: 'GET', url: '/admin/' }).catch(() => undefined);
  const adminAvailable = admin !== undefined && admin.statusCode < 400;
  const database = app.ctx.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  if (config.nodeEnv === 'production') {
    const admin = adminAvailable ? { admin: `${baseUrl}/admin/` } : {};
    app.log.info({ api: `${baseUrl}/api/v1/`, docs: `${baseUrl}/api/docs/`, ...admin, health: `${baseUrl}/health/` }, 'ready');
    return;
  }
  const demoAccounts = await presentDemoAccounts(app.ctx);
  const text = `${startupBanner({ baseUrl, nodeEnv: config.nodeEnv, database, adminAvailable, demoAccounts })}\n`;
  // through the logger's own stream: pino writes asynchronously, and a direct stdout write would overtake
  // the progress lines still queued there
  const stream = (app.log as unknown as Record<symbol, { write(text: string): unknown } | undefined>)[pino.symbols.streamSym];
  (stream ?? process.stdout).write(text);
}
