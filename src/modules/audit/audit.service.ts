// The audit module's public surface: recording a route-level entry (called by the app-wide hook in
// core/audit.ts), reading the trail and the field history, and retention.
import type { RouteAuditEntry } from '../../core/audit.js';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import * as repo from './audit.repo.js';

export type { AuditFilter, ChangeFilter, PageWindow } from './audit.repo.js';

export function recordRouteEntry(db: Db, entry: RouteAuditEntry): Promise<void> {
  return repo.insertAuditEntry(db, entry);
}

export const listAuditEntries = (ctx: AppContext, filter: repo.AuditFilter, page: repo.PageWindow) =>
  repo.listAuditEntries(ctx.db, filter, page);

export const listChanges = (ctx: AppContext, filter: repo.ChangeFilter, page: repo.PageWindow) =>
  repo.listChanges(ctx.db, filter, page);

/** Deletes what is older than AUDIT_RETENTION_DAYS (nothing when it is 0); returns how many rows went. */
export async function deleteExpiredAudit(ctx: AppContext): Promise<{ entries: number; changes: number }> {
  const days = ctx.config.auditRetentionDays;
  if (days === 0) return { entries: 0, changes: 0 };
  const cutoff = new Date(ctx.now().getTime() - days * 24 * 3600 * 1000);
  return repo.deleteAuditOlderThan(ctx.db, cutoff);
}
