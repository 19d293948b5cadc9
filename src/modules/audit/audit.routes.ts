// Audit trail API: admins read who changed what through the API (recorded by core/audit.ts), newest first,
// filtered by actor, route and time.
import { Type } from 'typebox';
import { listAuditEntries } from '../../core/audit.js';
import { requireSuperuser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { Paginated, problemResponses, Timestamp, Uuid } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage } from '../../core/pagination.js';

const AuditEntryJson = Type.Object({
  id: Uuid,
  actor_id: Uuid,
  method: Type.String(),
  route: Type.String({ description: 'Route pattern, e.g. /api/v1/products/:slug/' }),
  path: Type.String(),
  params: Type.Record(Type.String(), Type.String()),
  status_code: Type.Integer(),
  request_id: Type.String(),
  ip: Type.String(),
  created_at: Timestamp,
});

const AuditQuery = Type.Object({
  ...PageQuery,
  actor: Type.Optional(Uuid),
  route: Type.Optional(Type.String({ maxLength: 300 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});

export function auditRoutes(app: App, ctx: AppContext) {
  app.get(
    '/audit-log/',
    {
      preHandler: requireSuperuser,
      schema: {
        tags: ['audit'],
        security: [{ bearerAuth: [] }],
        summary: 'Changes made by staff through the API (admins only)',
        querystring: AuditQuery,
        response: { 200: Paginated(AuditEntryJson), ...problemResponses },
      },
    },
    async (request) => {
      const { actor, route, since, until } = request.query;
      const page = pageRequest(request.query);
      const filter = {
        actorId: actor,
        route,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      };
      const { count, rows } = await listAuditEntries(ctx.db, filter, page);
      const results = rows.map((r) => ({
        id: r.id,
        actor_id: r.actorId,
        method: r.method,
        route: r.route,
        path: r.path,
        params: r.params,
        status_code: r.statusCode,
        request_id: r.requestId,
        ip: r.ip,
        created_at: r.createdAt.toISOString(),
      }));
      return toPage(request, page, count, results);
    },
  );
}
