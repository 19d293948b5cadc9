// Who is changing the database, told to the database: every transaction opened while serving a request or
// running a job starts with transaction-local `emporium.*` settings (actor id, actor kind, request id) that the
// field-history triggers of migration 0019 read (modules/audit/audit.tables.ts). Applied at the driver, below
// Drizzle, so every code path is covered without a change to it:
// - a transaction (`BEGIN` on `pg`, in the same round trip; `transaction()` on PGlite) gets them as it begins;
// - a single INSERT/UPDATE/DELETE on an audited table outside a transaction, by staff or a job, is run inside
//   a short transaction of its own that sets them. Customers' and guests' single statements are not wrapped:
//   today none of them changes an audited column (their order changes run in transactions), and a login's
//   `last_login` update should not pay three extra round trips.
// Outside a request or job (seed, CLI, migrations) nothing is set and the triggers record nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { currentLogContext } from './log-context.js';

export type ActorKind = 'staff' | 'customer' | 'anonymous' | 'system';

export interface AuditScope {
  actorId?: string;
  kind: ActorKind;
  requestId: string;
}

const storage = new AsyncLocalStorage<AuditScope>();

/** Runs `run` (a request's handler chain) attributed to `scope`. */
export function runWithAuditScope<T>(scope: AuditScope, run: () => T): T {
  return storage.run(scope, run);
}

/**
 * A running job's scope (the system, under `job:<id>`), else the request's, else none. The job comes first: a
 * job runner woken by a request still runs inside that request's async context.
 */
export function currentAuditScope(): AuditScope | undefined {
  const log = currentLogContext();
  if (log?.job_id) return { kind: 'system', requestId: `job:${log.job_id}` };
  return storage.getStore();
}

const SET_SCOPE =
  "SELECT set_config('emporium.actor_id', $1, true), set_config('emporium.actor_kind', $2, true), set_config('emporium.request_id', $3, true)";
const scopeParams = (scope: AuditScope) => [scope.actorId ?? '', scope.kind, scope.requestId];

const AUDITED_WRITE =
  /^\s*(?:insert\s+into|update|delete\s+from)\s+"?(?:products|product_variants|categories|coupons|orders|users)"?[\s(]/i;
const BEGIN = /^\s*begin\b/i;

function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  return typeof (query as { text?: unknown })?.text === 'string' ? (query as { text: string }).text : '';
}

/** The scope a single statement outside a transaction must be wrapped for, if any. */
function scopeForAutocommit(query: unknown): AuditScope | undefined {
  const scope = currentAuditScope();
  if (!scope || (scope.kind !== 'staff' && scope.kind !== 'system')) return undefined;
  return AUDITED_WRITE.test(textOf(query)) ? scope : undefined;
}

type QueryFn = (...args: unknown[]) => Promise<unknown>;

/**
 * The settings as SQL literals, to ride in the same simple-protocol round trip as BEGIN (pg escapes them).
 * Drizzle sends `begin` without parameters, so the two statements cost one round trip, not two.
 */
function scopeLiteralSql(scope: AuditScope, client: pg.PoolClient): string {
  const [actor, kind, request] = scopeParams(scope).map((v) => client.escapeLiteral(v));
  return `SELECT set_config('emporium.actor_id', ${actor}, true), set_config('emporium.actor_kind', ${kind}, true), set_config('emporium.request_id', ${request}, true)`;
}

/** `pg`: settings with each BEGIN on a pooled client, and audited single statements wrapped. */
export function scopeAuditPg(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const scope = currentAuditScope();
      const [config, values] = args;
      if (!scope || typeof args[args.length - 1] === 'function' || !BEGIN.test(textOf(config))) return query(...args);
      const plain = (typeof config === 'string' || !(config as { name?: string }).name) && !(values as unknown[])?.length;
      if (plain) {
        // one simple-protocol message: pg answers with one result per statement; BEGIN's is the caller's
        const text = `${textOf(config)}; ${scopeLiteralSql(scope, client)}`;
        const combined = typeof config === 'string' ? text : { ...(config as object), text };
        return query(combined).then((results) => (Array.isArray(results) ? results[0] : results));
      }
      return query(...args).then(async (result) => {
        await query(SET_SCOPE, scopeParams(scope));
        return result;
      });
    };
  });
  const poolQuery = pool.query.bind(pool) as QueryFn;
  (pool as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    if (typeof args[args.length - 1] === 'function' || !scopeForAutocommit(args[0])) return poolQuery(...args);
    return (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN'); // sets the scope (the wrapper above)
        const result = await (client.query as unknown as QueryFn)(...args);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    })();
  };
}

/** PGlite: settings at the start of each `transaction()`, and audited single statements wrapped in one. */
export function scopeAuditPglite(client: PGlite): void {
  const transaction = client.transaction.bind(client);
  client.transaction = <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> => {
    const scope = currentAuditScope();
    if (!scope) return transaction(fn);
    return transaction(async (tx) => {
      await tx.query(SET_SCOPE, scopeParams(scope));
      return fn(tx);
    });
  };
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    if (!scopeForAutocommit(args[0])) return query(...args);
    const [text, params, options] = args as Parameters<PGlite['query']>;
    return client.transaction((tx) => tx.query(text, params, options));
  };
}
