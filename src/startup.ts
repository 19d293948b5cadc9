// What `npm start` tells the person who ran it: a note before the slow one-time creation of the embedded
// database, and once listening, where everything is and which demo accounts exist. The server calls these;
// the text is built by pure functions so tests can check it without starting a server.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { AppContext } from './core/context.js';
import type { App } from './core/module.js';
import { DEMO_USERS } from './modules/accounts/accounts.seed.js';
import { users } from './modules/accounts/accounts.tables.js';

/** Logs a heads-up when the embedded database does not exist yet: creating it is the slow part of a first start. */
export function noteFirstStart(config: Config, log: Logger): void {
  if (config.databaseUrl) return;
  const pgdata = path.join(config.dataDir, 'pgdata');
  if (fs.existsSync(path.join(pgdata, 'PG_VERSION'))) return;
  log.info({ pgdata }, 'first start: creating the embedded database (once; this takes a while)');
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
  const rows = await ctx.db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
  const present = new Set(rows.map((r) => r.email));
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
