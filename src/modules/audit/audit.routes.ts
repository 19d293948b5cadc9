// Audit API: admins read who changed what. Without object filters: the route-level trail of staff changes
// through the API (recorded by core/audit.ts), newest first, by actor, route, request and time. With
// `object_type` (and `object_id`): the field-level history the database triggers recorded (audit.tables.ts).
import { Type } from 'typebox';
import { requireSuperuser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { fieldError } from '../../core/errors.js';
import { Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { presentAuditChange, presentAuditEntry } from './audit.present.js';
import { AuditChangeJson, AuditEntryJson, AuditQuery } from './audit.schemas.js';
import { listAuditEntries, listChanges } from './audit.service.js';

export function auditRoutes(app: App, ctx: AppContext) {
  app.get(
    '/audit-log/',
    {
      preHandler: requireSuperuser,
      schema: {
        tags: ['audit'],
        security: [{ bearerAuth: [] }],
        summary: 'Changes made by staff through the API, or one object’s field history (admins only)',
        description:
          'Without `object_type`: route-level entries (`entry_type: request`) of staff changes through the API. ' +
          'With `object_type` (and optionally `object_id`): field-level changes (`entry_type: change`) with ' +
          'before/after values, actor and request id, from staff, customers, guests and background jobs ' +
          '(stock taken or returned by customers’ checkouts and cancels is not recorded). Kept for AUDIT_RETENTION_DAYS.',
        querystring: AuditQuery,
        response: { 200: Paginated(Type.Union([AuditEntryJson, AuditChangeJson])), ...problemResponses },
      },
    },
    async (request) => {
      const { actor, route, since, until, object_type, object_id, request_id } = request.query;
      const page = pageRequest(request.query);
      const window = {
        actorId: actor,
        requestId: request_id,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      };
      if (object_id && !object_type) {
        throw fieldError('object_type', 'object_type is required with object_id.', 'required');
      }
      if (object_type) {
        if (route) throw fieldError('route', 'route filters route-level entries; it cannot be combined with object_type.');
        const { count, rows } = await listChanges(ctx, { ...window, objectType: object_type, objectId: object_id }, page);
        return toPage(request, page, count, rows.map(presentAuditChange));
      }
      const { count, rows } = await listAuditEntries(ctx, { ...window, route }, page);
      return toPage(request, page, count, rows.map(presentAuditEntry));
    },
  );
}
