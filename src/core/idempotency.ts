// Idempotency keys for POSTs that create things (checkout, payment intents, refunds): the first request's
// response is stored under (scope, owner, key) and every retry gets it back; a different body under the same
// key is refused with 422. Two ways to use it:
//  - `runIdempotent(db, request, work)`: claim, work and store the response in ONE transaction. A concurrent
//    duplicate blocks on the key's unique index until the first commits, then replays its response; if the
//    first rolls back (an error), the duplicate runs as if it were first. Errors are not stored.
//  - `runIdempotentSteps(db, request, work)`: for work that must call the outside world between two
//    transactions (e.g. a payment provider), built on `claimIdempotencyKey` / `completeIdempotencyKey` /
//    `releaseIdempotencyKey`. The claim commits a row with no response; a duplicate arriving meanwhile gets 409
//    `idempotency_in_progress`; work that fails releases the key so that a retry runs again.
// Callers store what identifies the result (an id) and reload it, so a replay shows the thing as it is now
// and the HTTP status stays the route's choice.
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { BusinessRuleFailed, Conflict, fieldError } from './errors.js';
import { idempotencyKeys } from './idempotency.tables.js';

export const IDEMPOTENCY_TTL_SECONDS = 48 * 3600;

export interface IdempotentRequest {
  /** What the key protects, e.g. 'orders.checkout' or 'payments.create_intent'. */
  scope: string;
  /** Whose key it is (user id): the same key from another user is another key. */
  ownerId: string;
  key: string;
  /** The request body (or anything that identifies the request); compared by a canonical hash. */
  body: unknown;
  /** The caller's ctx.now(): when the key expires is counted from it. */
  now: Date;
  ttlSeconds?: number;
}

export interface StoredResponse<T = unknown> {
  statusCode: number;
  body: T;
}

export type ClaimResult<T = unknown> = { state: 'new' } | ({ state: 'replay' } & StoredResponse<T>);

/** JSON with sorted object keys, so `{a, b}` and `{b, a}` hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonical(body)).digest('hex');

/** Validates an `Idempotency-Key` header value: undefined when absent, 400 when malformed. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw fieldError('Idempotency-Key', 'Must be 1 to 255 visible ASCII characters.');
  }
  return value;
}

/**
 * Inserts the key row (or finds the existing one). Returns `new` when this request owns the key, or the
 * stored response to replay. Throws 422 for a different body, 409 while the first request is still running.
 */
export async function claimIdempotencyKey<T = unknown>(db: Db, request: IdempotentRequest): Promise<ClaimResult<T>> {
  const hash = requestHash(request.body);
  const { now } = request;
  const expiresAt = new Date(now.getTime() + (request.ttlSeconds ?? IDEMPOTENCY_TTL_SECONDS) * 1000);
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ scope: request.scope, ownerId: request.ownerId, key: request.key, requestHash: hash, expiresAt })
    .onConflictDoNothing()
    .returning({ id: idempotencyKeys.id });
  if (inserted.length) return { state: 'new' };
  const [row] = await db.select().from(idempotencyKeys).where(keyWhere(request));
  if (!row) return claimIdempotencyKey(db, request); // deleted between the two statements: claim again
  if (row.requestHash !== hash) {
    throw new BusinessRuleFailed(
      'This Idempotency-Key was already used with a different request body.',
      'idempotency_key_reused',
    );
  }
  if (row.statusCode === null) {
    throw new Conflict('A request with this Idempotency-Key is still being processed; retry later.', 'idempotency_in_progress');
  }
  return { state: 'replay', statusCode: row.statusCode, body: row.response as T };
}

/** Stores the response a claimed key replays from now on. */
export async function completeIdempotencyKey(db: Db, request: IdempotentRequest, response: StoredResponse): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ statusCode: response.statusCode, response: response.body as object })
    .where(keyWhere(request));
}

/** Forgets a claimed key whose work failed, so a retry runs again (two-step use only). */
export async function releaseIdempotencyKey(db: Db, request: IdempotentRequest): Promise<void> {
  await db.delete(idempotencyKeys).where(and(keyWhere(request), sql`${idempotencyKeys.statusCode} is null`));
}

/**
 * Runs `work` at most once per key: claim, work and store in one transaction of `db`. Without a key the work
 * simply runs in a transaction. Returns the response and whether it was replayed.
 */
export async function runIdempotent<T>(
  db: Db,
  request: Omit<IdempotentRequest, 'key'> & { key: string | undefined },
  work: (tx: Db) => Promise<StoredResponse<T>>,
): Promise<StoredResponse<T> & { replayed: boolean }> {
  return db.transaction(async (tx) => {
    const { key } = request;
    if (key === undefined) return { ...(await work(tx)), replayed: false };
    const keyed = { ...request, key };
    const claim = await claimIdempotencyKey<T>(tx, keyed);
    if (claim.state === 'replay') return { statusCode: claim.statusCode, body: claim.body, replayed: true };
    const response = await work(tx);
    await completeIdempotencyKey(tx, keyed, response);
    return { ...response, replayed: false };
  });
}

/**
 * Runs `work` once per key, in steps (see the header): returns the value the first run stored and whether this
 * is a replay. Without a request (no key) the work simply runs. `onReleaseError` hears a key that could not be
 * released after the work failed (the work's error is what the caller gets).
 */
export async function runIdempotentSteps<T>(
  db: Db,
  request: IdempotentRequest | undefined,
  work: () => Promise<T>,
  onReleaseError: (error: unknown) => void = () => {},
): Promise<{ value: T; replayed: boolean }> {
  if (!request) return { value: await work(), replayed: false };
  const claim = await claimIdempotencyKey<T>(db, request);
  if (claim.state === 'replay') return { value: claim.body, replayed: true };
  try {
    const value = await work();
    // the status code column only marks the key completed: the route chooses the HTTP status from the value
    await completeIdempotencyKey(db, request, { statusCode: 200, body: value });
    return { value, replayed: false };
  } catch (error) {
    await releaseIdempotencyKey(db, request).catch(onReleaseError);
    throw error;
  }
}

/** Deletes keys past their expiry; run by a periodic job. Returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ id: idempotencyKeys.id });
  return rows.length;
}

function keyWhere(request: Pick<IdempotentRequest, 'scope' | 'ownerId' | 'key'>) {
  return and(
    eq(idempotencyKeys.scope, request.scope),
    eq(idempotencyKeys.ownerId, request.ownerId),
    eq(idempotencyKeys.key, request.key),
  );
}
