// Public catalog reads on a read replica (DATABASE_REPLICA_URL); everything else stays on the primary.
// `catalogReader(ctx, request)` answers which database a catalog GET reads, and is asked only on a cache miss:
//  - a staff user always reads the primary (they see their own edits at once);
//  - everyone reads the primary for DATABASE_REPLICA_LAG_MS after the last catalog write anywhere. The write's
//    time is set in the shared cache *before* the catalog generation moves (`noteCatalogWrite`, called first
//    thing by invalidateCatalog), so a request that sees the new generation also sees the write and does not
//    build (and cache under that generation) a page from a replica that has not caught up. Each process keeps
//    the newest write time it knows in memory, so misses inside a window skip the round trip.
//  - the replica failing (connection refused or lost, pool wait timed out) sends the read to the primary and
//    opens a breaker: reads stay on the primary, with one warning, until a trial read after
//    UNAVAILABLE_RETRY_AFTER seconds succeeds. Reads never fail because of the replica.
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { isStaff } from './auth.js';
import type { AppContext } from './context.js';
import { type Database, type Db, isDbUnavailable, isTransientDbError, openDatabase } from './db.js';
import { type Breaker, createBreaker } from './resilience.js';

const LAST_WRITE = 'catalog:last-write';

interface Replica {
  database: Database;
  /** Drizzle over the failover pool below: the replica while its breaker allows, else the primary. */
  db: Db;
  breaker: Breaker;
}

const replicas = new WeakMap<AppContext, Replica>();
/** Per cache (one per process, or per test app): the newest catalog write time this process knows of. */
const lastWrites = new WeakMap<object, number>();

/**
 * The replica's pool with the primary behind it. Drizzle runs a statement with `query()`; a transaction would
 * `connect()` (Drizzle tells pools by their class name): transactions always get a primary connection.
 */
class ReplicaFailoverPool {
  constructor(
    private readonly replica: pg.Pool,
    private readonly primary: pg.Pool,
    private readonly breaker: Breaker,
  ) {}

  async query(config: unknown, values?: unknown) {
    const run = (pool: pg.Pool) => pool.query(config as pg.QueryConfig, values as unknown[]);
    if (!this.breaker.allow()) return run(this.primary);
    try {
      const result = await run(this.replica);
      this.breaker.success();
      return result;
    } catch (error) {
      // a replica that answered (even with an error) is up; an unreachable one, or a read cancelled by a
      // recovery conflict (40001 on a hot standby), is read again on the primary
      if (!isDbUnavailable(error) && !isTransientDbError(error)) {
        this.breaker.success();
        throw error;
      }
      this.breaker.failure(error);
      return run(this.primary);
    }
  }

  connect() {
    return this.primary.connect();
  }
}

/** Opens the replica pool when DATABASE_REPLICA_URL is set (needs PostgreSQL as the primary too). */
export async function openCatalogReplica(ctx: AppContext): Promise<void> {
  const { config, log } = ctx;
  if (!config.databaseReplicaUrl || !ctx.database.pool) return;
  const database = await openDatabase({
    url: config.databaseReplicaUrl,
    poolSize: config.databasePoolSize,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    directUrl: config.databaseDirectUrl, // the replica behind PgBouncer too: no startup parameter
    onConnectionError: () => {}, // the breaker reports the outage once
  });
  const breaker = createBreaker({
    failureThreshold: 1,
    openMs: config.unavailableRetryAfter * 1000,
    onStateChange(state, previous, error) {
      // once per outage: a failed trial read (half-open -> open) says nothing new
      if (state === 'open' && previous === 'closed')
        log.warn(
          { variable: 'DATABASE_REPLICA_URL', err: error instanceof Error ? error.message : String(error) },
          'read replica unreachable; catalog reads go to the primary',
        );
      if (state === 'closed')
        log.info({ variable: 'DATABASE_REPLICA_URL' }, 'read replica answers again; catalog reads go to it');
    },
  });
  const pool = new ReplicaFailoverPool(database.pool as pg.Pool, ctx.database.pool, breaker);
  // counted with the primary's statements: query-count tests hold wherever a read went
  const logger = { logQuery: () => void ctx.database.stats.queries++ };
  const db = drizzlePg({ client: pool as unknown as pg.Pool, logger }) as unknown as Db;
  replicas.set(ctx, { database, db, breaker });
  // invalidations made while Redis was away were lost (and with them the write times): treat the recovery
  // as a write, so pages built right after it come from the primary
  ctx.cache.onRecover(async (raw) => {
    await raw.set(LAST_WRITE, String(ctx.now().getTime()), lagTtlSeconds(ctx));
  });
  await database.ping().catch((error: Error) => breaker.failure(error)); // start-up: warned once, as above
}

export async function closeCatalogReplica(ctx: AppContext): Promise<void> {
  const replica = replicas.get(ctx);
  replicas.delete(ctx);
  await replica?.database.close();
}

const lagTtlSeconds = (ctx: AppContext) => Math.ceil(ctx.config.databaseReplicaLagMs / 1000) + 1;

/**
 * Records a catalog write (before its cache invalidation): catalog reads go to the primary for the next
 * DATABASE_REPLICA_LAG_MS, in every process. A no-op without a replica; never throws.
 */
export async function noteCatalogWrite(ctx: AppContext): Promise<void> {
  if (!ctx.config.databaseReplicaUrl || ctx.config.databaseReplicaLagMs === 0) return;
  const at = ctx.now().getTime();
  lastWrites.set(ctx.cache, Math.max(at, lastWrites.get(ctx.cache) ?? 0));
  try {
    await ctx.cache.set(LAST_WRITE, String(at), lagTtlSeconds(ctx));
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not record the catalog write time; other processes may read the replica');
  }
}

/** True while the last catalog write known (here, or in the shared cache) is within the lag window. */
async function withinLagWindow(ctx: AppContext): Promise<boolean> {
  const lag = ctx.config.databaseReplicaLagMs;
  const now = ctx.now().getTime();
  const known = lastWrites.get(ctx.cache) ?? 0;
  if (now - known < lag) return true;
  const shared = Number((await ctx.cache.get(LAST_WRITE).catch(() => undefined)) ?? 0);
  if (shared > known) lastWrites.set(ctx.cache, shared);
  return now - shared < lag;
}

/** The database a public catalog GET reads: the replica, unless staff asks or a write is too recent. */
export async function catalogReader(ctx: AppContext, request: FastifyRequest): Promise<Db> {
  const replica = replicas.get(ctx);
  if (!replica || isStaff(request.user)) return ctx.db;
  return (await withinLagWindow(ctx)) ? ctx.db : replica.db;
}

/** `ctx` with `db` set to `catalogReader`'s answer, for catalog services that take the context. */
export async function catalogReadContext(ctx: AppContext, request: FastifyRequest): Promise<AppContext> {
  const db = await catalogReader(ctx, request);
  return db === ctx.db ? ctx : { ...ctx, db };
}
