// Test app factory: a real Fastify app on a fresh database of its own (cloned from the run's migrated
// template), a private cache namespace, and mail written under a temp DATA_DIR.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { type BuildOptions, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createMemoryCache, createRedisCache } from '../../src/core/cache.js';
import { type Database, openDatabase } from '../../src/core/db.js';
import type { App } from '../../src/core/module.js';
import type { UserRow, users } from '../../src/modules/accounts/accounts.tables.js';
import { authHeader, makeUser } from '../factories/users.js';
import { type FakeStripe, startFakeStripe } from '../fake-stripe.js';

const TEST_SECRET = 'test-secret-key-0123456789abcdef';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh migrated database: a clone of the run's template (PostgreSQL) or of its snapshot (PGlite). */
export async function openTestDatabase(options: { statementTimeoutMs?: number } = {}): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `emporium_t_${inject('testRunId')}_${randomBytes(4).toString('hex')}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await adminQuery(url, `CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
        break;
      } catch (error) {
        // two files cloning the same template at the same instant: PostgreSQL refuses one; try again
        if (attempt > 20 || !String(error).includes('being accessed by other users')) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
    const database = await openDatabase({ url: withDatabase(url, name), poolSize: 20, ...options });
    const close = database.close;
    database.close = async () => {
      await close();
      await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
    return database;
  }
  const snapshot = fs.readFileSync(inject('pgliteSnapshot'));
  return openDatabase({ loadDataDir: new Blob([snapshot]) });
}

export interface TestAppOptions extends BuildOptions {
  /** Extra environment for loadConfig (e.g. { TAX_RATE: '0.1' }). */
  env?: Record<string, string>;
  /** Adds routes or hooks before the app is made ready (tests of the plumbing itself). */
  beforeReady?: (app: App) => void | Promise<void>;
}

/** Builds a ready app for one test file; call `app.close()` in afterAll. */
export async function createTestApp(options: TestAppOptions = {}): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-test-'));
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    API_RATE_LIMIT: '1000000',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    AMQP_URL: process.env.AMQP_URL,
    ...options.env,
  };
  const config = loadConfig(env);
  const database = options.database ?? (await openTestDatabase());
  const cache =
    options.cache ??
    (config.redisUrl ? createRedisCache(config.redisUrl, `test:${randomBytes(6).toString('hex')}:`) : createMemoryCache());
  const app = await buildApp(config, { ...options, database, cache });
  app.addHook('onClose', async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  await options.beforeReady?.(app);
  await app.ready();
  return app;
}

export { TEST_SECRET };

type UserValues = Partial<typeof users.$inferInsert>;

export interface UseTestAppOptions extends Omit<TestAppOptions, 'env'> {
  /** Extra environment; a function is called in beforeAll (for values known only then, e.g. a server's URL). */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Make a staff user (`true`, or column values such as `{ isSuperuser: true }`): `staff`, `staffUser`. */
  staff?: boolean | UserValues;
  /** Make a customer (`true`, or column values): `customer`, `customerUser`. */
  customer?: boolean | UserValues;
  /** Start the local fake Stripe before the app and point the app's Stripe provider at it: `stripe`. */
  stripe?: boolean;
}

export interface TestAppFixture {
  /** The file's app (ready from beforeAll on; closed in afterAll). */
  app: App;
  /** `Authorization` header of the staff user (filled in beforeAll; pass it as `headers: staff`). */
  staff: { authorization: string };
  staffUser: UserRow;
  customer: { authorization: string };
  customerUser: UserRow;
  /** The fake Stripe server (with `{ stripe: true }`). */
  stripe: FakeStripe;
}

/** An object standing for one that exists only from beforeAll on: reads reach the real one, bound to it. */
function lateBound<T extends object>(what: string, get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const real = get();
      if (!real) throw new Error(`${what} is used before beforeAll made it (use it inside a hook or a test)`);
      const value = Reflect.get(real, property, real);
      return typeof value === 'function' ? value.bind(real) : value;
    },
    has: (_target, property) => property in (get() ?? {}),
  });
}

/**
 * The shared set-up of a test file: registers beforeAll (app on a fresh database, the users asked for) and
 * afterAll (closes it all). The returned values are usable in hooks and tests, as if made at the top:
 *   const { app, staff, customer } = useTestApp({ staff: true, customer: true });
 */
export function useTestApp(options: UseTestAppOptions = {}): TestAppFixture {
  const { staff, customer, stripe, env, ...rest } = options;
  let app: App | undefined;
  let fake: FakeStripe | undefined;
  const fixture = {
    app: lateBound<App>('app', () => app),
    staff: { authorization: '' },
    staffUser: {} as UserRow,
    customer: { authorization: '' },
    customerUser: {} as UserRow,
    stripe: lateBound<FakeStripe>('stripe', () => fake),
  };
  beforeAll(async () => {
    if (stripe) fake = await startFakeStripe();
    const extraEnv = { ...fake?.env, ...(typeof env === 'function' ? env() : env) };
    app = await createTestApp({ ...rest, env: extraEnv });
    const users = [
      [staff, fixture.staff, fixture.staffUser, { isStaff: true }],
      [customer, fixture.customer, fixture.customerUser, {}],
    ] as const;
    for (const [wanted, header, row, base] of users) {
      if (!wanted) continue;
      const user = await makeUser(app, { ...base, ...(wanted === true ? {} : wanted) });
      Object.assign(row, user);
      Object.assign(header, await authHeader(app, user));
    }
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });
  return fixture;
}
