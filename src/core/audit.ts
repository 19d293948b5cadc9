// Records every successful change staff make through the API (see audit.tables.ts). Written after the
// response, so it never slows or fails the request; a failed write is logged with the request id.
import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { type AuditEntry, auditLog } from './audit.tables.js';
import { isStaff } from './auth.js';
import type { Db } from './db.js';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Ids a change touched that are not in the URL (bulk actions); merged into the entry's params. */
    auditParams?: Record<string, string>;
  }
}

export function registerAuditTrail(app: FastifyInstance, db: Db) {
  app.addHook('onResponse', async (request, reply) => {
    if (!CHANGES.has(request.method) || !isStaff(request.user) || reply.statusCode >= 300 || reply.statusCode < 200) return;
    const route = request.routeOptions.url;
    if (!route) return;
    try {
      await db.insert(auditLog).values({
        actorId: request.user?.id as string,
        method: request.method,
        route,
        path: request.url.split('?')[0] as string,
        params: { ...((request.params ?? {}) as Record<string, string>), ...request.auditParams },
        statusCode: reply.statusCode,
        requestId: String(request.id),
        ip: request.ip,
      });
    } catch (error) {
      request.log.error({ err: error }, 'audit trail write failed');
    }
  });
}

export interface AuditFilter {
  actorId?: string;
  route?: string;
  since?: Date;
  until?: Date;
}

export async function listAuditEntries(
  db: Db,
  filter: AuditFilter,
  page: { offset: number; pageSize: number },
): Promise<{ count: number; rows: AuditEntry[] }> {
  const conditions: SQL[] = [];
  if (filter.actorId) conditions.push(eq(auditLog.actorId, filter.actorId));
  if (filter.route) conditions.push(eq(auditLog.route, filter.route));
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
