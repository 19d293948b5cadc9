// All SQL of the audit module: the route-level trail (audit_log) and the field history (audit_changes, written
// by database triggers, read here).
import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { RouteAuditEntry } from '../../core/audit.js';
import { type Db, queryRows, sql } from '../../core/db.js';
import { type AuditChange, type AuditEntry, type AuditedObjectType, auditChanges, auditLog } from './audit.tables.js';

export interface AuditFilter {
  actorId?: string;
  route?: string;
  requestId?: string;
  since?: Date;
  until?: Date;
}

export interface ChangeFilter {
  objectType?: AuditedObjectType;
  objectId?: string;
  actorId?: string;
  requestId?: string;
  since?: Date;
  until?: Date;
}

export interface PageWindow {
  offset: number;
  pageSize: number;
}

export async function insertAuditEntry(db: Db, entry: RouteAuditEntry): Promise<void> {
  await db.insert(auditLog).values(entry);
}

export async function listAuditEntries(
  db: Db,
  filter: AuditFilter,
  page: PageWindow,
): Promise<{ count: number; rows: AuditEntry[] }> {
  const conditions: SQL[] = [];
  if (filter.actorId) conditions.push(eq(auditLog.actorId, filter.actorId));
  if (filter.route) conditions.push(eq(auditLog.route, filter.route));
  if (filter.requestId) conditions.push(eq(auditLog.requestId, filter.requestId));
  if (filter.since) conditions.push(gte(auditLog.createdAt, filter.since));
  if (filter.until) conditions.push(lte(auditLog.createdAt, filter.until));
  const where = conditions.length ? and(...conditions) : undefined;
  const [total] = await db.select({ n: count() }).from(auditLog).where(where);
  const rows = await db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(page.pageSize)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

/** Field changes, newest first (an object's history when filtered by type and id). */
export async function listChanges(
  db: Db,
  filter: ChangeFilter,
  page: PageWindow,
): Promise<{ count: number; rows: AuditChange[] }> {
  const conditions: SQL[] = [];
  if (filter.objectType) conditions.push(eq(auditChanges.objectType, filter.objectType));
  if (filter.objectId) conditions.push(eq(auditChanges.objectId, filter.objectId));
  if (filter.actorId) conditions.push(eq(auditChanges.actorId, filter.actorId));
  if (filter.requestId) conditions.push(eq(auditChanges.requestId, filter.requestId));
  if (filter.since) conditions.push(gte(auditChanges.createdAt, filter.since));
  if (filter.until) conditions.push(lte(auditChanges.createdAt, filter.until));
  const where = conditions.length ? and(...conditions) : undefined;
  const [total] = await db.select({ n: count() }).from(auditChanges).where(where);
  const rows = await db
    .select()
    .from(auditChanges)
    .where(where)
    .orderBy(desc(auditChanges.createdAt), desc(auditChanges.id))
    .limit(page.pageSize)
    .offset(page.offset);
  return { count: Number(total?.n ?? 0), rows };
}

const DELETE_BATCH = 10_000;

/**
 * Retention: deletes trail entries and field changes older than `cutoff`, in batches (bounded memory and short
 * locks even when a first run finds years of rows); returns how many of each.
 */
export async function deleteAuditOlderThan(db: Db, cutoff: Date): Promise<{ entries: number; changes: number }> {
  const result = { entries: 0, changes: 0 };
  for (const [key, table] of [
    ['entries', sql`audit_log`],
    ['changes', sql`audit_changes`],
  ] as const) {
    for (;;) {
      const rows = await queryRows<{ id: string }>(
        db,
        sql`DELETE FROM ${table} WHERE id IN (
              SELECT id FROM ${table} WHERE created_at < ${cutoff.toISOString()} LIMIT ${DELETE_BATCH}) RETURNING id`,
      );
      result[key] += rows.length;
      if (rows.length < DELETE_BATCH) break;
    }
  }
  return result;
}
