// Rows of the audit module as the API shows them.
import type { AuditChange, AuditEntry } from './audit.tables.js';

export function presentAuditEntry(r: AuditEntry) {
  return {
    entry_type: 'request' as const,
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
  };
}

export function presentAuditChange(r: AuditChange) {
  return {
    entry_type: 'change' as const,
    id: r.id,
    object_type: r.objectType,
    object_id: r.objectId,
    action: r.action,
    before: r.before,
    after: r.after,
    actor_id: r.actorId,
    actor_kind: r.actorKind,
    request_id: r.requestId,
    created_at: r.createdAt.toISOString(),
  };
}
