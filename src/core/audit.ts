// The audit hooks every request passes through (the trail's table, queries and routes live in modules/audit):
// - each changing request's handlers run in an audit scope (core/audit-scope.ts) naming the actor and the
//   request id, which the database's field-history triggers record with every change. Reads (GET, HEAD,
//   OPTIONS) skip it: none changes an audited table (products, variants, categories, coupons, orders, users;
//   `getCart`'s transaction touches only carts), and entering a second async context costs every read;
// - every successful change staff make through the API is handed to `record` (who, which route with which ids,
//   the request id), after the response, so it never slows or fails the request; a failed write is logged.
import type { FastifyInstance } from 'fastify';
import { runWithAuditScope } from './audit-scope.js';
import { isStaff } from './auth.js';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Ids a change touched that are not in the URL (bulk actions); merged into the entry's params. */
    auditParams?: Record<string, string>;
  }
}

/** One staff change through the API, as the trail stores it. */
export interface RouteAuditEntry {
  actorId: string;
  method: string;
  route: string;
  path: string;
  params: Record<string, string>;
  statusCode: number;
  requestId: string;
  ip: string;
}

export function registerAuditTrail(app: FastifyInstance, record: (entry: RouteAuditEntry) => Promise<unknown>) {
  // after authentication (onRequest), before every route's own preHandlers and handler
  app.addHook('preHandler', (request, _reply, done) => {
    if (READS.has(request.method)) return done();
    const user = request.user;
    const kind = !user ? 'anonymous' : isStaff(user) ? 'staff' : 'customer';
    runWithAuditScope({ actorId: user?.id, kind, requestId: String(request.id) }, done);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!CHANGES.has(request.method) || !isStaff(request.user) || reply.statusCode >= 300 || reply.statusCode < 200) return;
    const route = request.routeOptions.url;
    if (!route) return;
    try {
      await record({
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
