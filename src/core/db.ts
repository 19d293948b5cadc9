// Database handle for both ways of running: PGlite in-process (embedded default) or a `pg` pool
// (DATABASE_URL). Everything above this file sees one Drizzle type, `Db`, and never which one it got.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { scopeAuditPg, scopeAuditPglite } from './audit-scope.js';

/** A database or a transaction: every repo function takes one as its first argument. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** db/migrations of the project, found from this file whether it runs from src/ (tsx) or dist/src/ (build). */
export const migrationsFolder = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    dir = path.dirname(dir);
    const candidate = path.join(dir, 'db', 'migrations');
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new Error('db/migrations not found');
})();

export interface DbStats {
  /** Statements sent since start; tests use it to catch N+1 queries. */
  queries: number;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'pg';
  stats: DbStats;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball (tests clone a migrated database from it). */
  dump?(): Promise<Blob>;
  /** `pg` only: connections in use, idle and waited for (metrics). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  /** pg only: the URL of the pool (core/listen.ts opens its dedicated LISTEN connection there by default). */
  url?: string;
  /**
   * pg only: a direct PostgreSQL URL for session state (advisory locks of migrations and the scheduler,
   * LISTEN) when `url` goes through PgBouncer in transaction mode; otherwise `url` itself.
   */
  sessionUrl?: string;
  /** pg only: the pool itself (core/replica.ts sends a failed replica read here). */
  pool?: pg.Pool;
  /** PGlite only: LISTEN inside the embedded database; resolves to the unlisten function. */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface DatabaseOptions {
  /** postgres:// URL; without it the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory; omitted means in memory. */
  dataDir?: string;
  /** A PGlite data-dir dump to start from (tests load a migrated snapshot). */
  loadDataDir?: Blob;
  poolSize?: number;
  /** `pg`: how long a query waits for a connection (pool full or server away) before failing; unset = no bound (the app passes DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Called once per connection-level error (logging); the error never crashes the process. */
  onConnectionError?: (error: Error) => void;
  /**
   * PostgreSQL only: statement_timeout of every pooled connection (0 or absent: none), so no request or job
   * can hold a backend longer. PGlite cannot interrupt a running statement (no timers in WASM).
   */
  statementTimeoutMs?: number;
  /**
   * `pg`: a direct URL (no pooler) for migrations' session-level advisory lock, and a sign that `url` goes
   * through PgBouncer in transaction mode. Then the pool sends no statement_timeout startup parameter (PgBouncer
   * refuses unknown ones): the timeout is set on the server (`ALTER DATABASE/ROLE ... SET statement_timeout`).
   */
  directUrl?: string;
}

const MIGRATION_LOCK = 727_001; // pg_advisory_lock key: one migrator at a time across processes

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const stats: DbStats = { queries: 0 };
  const logger = {
    logQuery() {
      stats.queries++;
    },
  };
  if (options.url) {
    const max = options.poolSize ?? 10;
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      // bounded waits: a request never hangs on a full pool or an unreachable server, it gets a 503
      connectionTimeoutMillis: options.connectTimeoutMs ?? 0,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // sent as a startup parameter: the server cancels a longer statement with 57014 (answered 503). Not
      // through PgBouncer (it refuses unknown startup parameters; see docs/operations.md, "Behind PgBouncer")
      ...(options.statementTimeoutMs && !options.directUrl ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    const onError = (error: Error) => options.onConnectionError?.(error);
    pool.on('error', onError); // idle clients
    // pg-pool removes its own listener while a client is checked out (a transaction): without this one, a
    // connection dying mid-transaction is an unhandled 'error' event that kills the process
    pool.on('connect', (client) => client.on('error', onError));
    scopeAuditPg(pool); // field history: who made each change (core/audit-scope.ts)
    const db = drizzlePg({ client: pool, logger }) as unknown as Db;
    return {
      db,
      kind: 'pg',
      stats,
      url: options.url,
      sessionUrl: options.directUrl ?? options.url,
      pool,
      async migrate() {
        // a session of its own on the direct URL (a session-level lock and SET cannot go through PgBouncer's
        // transaction mode: the unlock could reach another server connection and leave the lock held)
        const direct = options.directUrl
          ? new pg.Client({ connectionString: options.directUrl, connectionTimeoutMillis: options.connectTimeoutMs ?? 0 })
          : undefined;
        if (direct) await direct.connect();
        const client = direct ?? (await pool.connect());
        try {
          await client.query('SET statement_timeout = 0'); // an index build may rightly take minutes
          await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
          await migratePg(drizzlePg({ client }), { migrationsFolder });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
          if (direct) await direct.end().catch(() => {});
          else (client as pg.PoolClient).release();
        }
      },
      async ping() {
        await pool.query('SELECT 1');
      },
      async close() {
        await pool.end();
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    };
  }
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
  });
  scopeAuditPglite(client); // field history: who made each change (core/audit-scope.ts)
  const db = drizzlePglite({ client, logger }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    stats,
    async migrate() {
      await migratePglite(drizzlePglite({ client }), { migrationsFolder });
    },
    async ping() {
      await client.query('SELECT 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
    dump: () => client.dumpDataDir('none'),
    async listen(channel, onPayload) {
      const unlisten = await client.listen(channel, onPayload);
      return async () => {
        if (!client.closed) await unlisten(); // the context may close the database first
      };
    },
  };
}

const TRANSIENT_CODES = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

/** True for failures PostgreSQL asks the client to retry: a deadlock victim or a serialization failure. */
export function isTransientDbError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim or serialization failure;
 * the aborted attempt changed nothing, so a retry is safe. Other errors pass through at once.
 */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isTransientDbError(error)) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}

// connection_exception class, shutdown, "cannot connect now", too many connections
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated', // unexpectedly / due to connection timeout
  'timeout exceeded when trying to connect', // pool checkout wait
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
];

/**
 * True when the database could not be reached or the connection died: the request changed nothing it can
 * rely on (a transaction without its COMMIT is rolled back by the server) and may be retried later, so the
 * HTTP layer answers 503 with Retry-After instead of 500.
 */
export function isDbUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    // Drizzle's wrapper message quotes the SQL and its params (user text): only the driver's own message counts
    const own = typeof message === 'string' && !message.startsWith('Failed query:');
    if (own && UNAVAILABLE_MESSAGES.some((m) => (message as string).includes(m))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Behind PgBouncer (`directUrl` given) the pool sends no statement_timeout of its own: the server's setting for
 * the pooled connections (`SHOW statement_timeout`), so start-up can warn when none is set there either.
 */
export async function serverStatementTimeout(database: Database): Promise<string> {
  const rows = await queryRows<{ statement_timeout: string }>(database.db, sql`show statement_timeout`);
  return rows[0]?.statement_timeout ?? '0';
}

/** Runs raw SQL and returns its rows, the same shape on PGlite and `pg`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export { sql };
