import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../core/http.js';
import { PageQuery } from '../../core/pagination.js';
import { AUDITED_OBJECT_TYPES } from './audit.tables.js';

/** A staff change through the API (the route-level trail). */
export const AuditEntryJson = Type.Object({
  entry_type: Type.Literal('request', { description: 'A route-level entry (without object_type/object_id)' }),
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

const FieldValues = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
  description: 'Audited columns (database names) and their values; only the changed ones on update',
});

/** One changed row of an audited table (the field history). */
export const AuditChangeJson = Type.Object({
  entry_type: Type.Literal('change', { description: 'A field-level change (with object_type/object_id)' }),
  id: Uuid,
  object_type: Type.Enum(AUDITED_OBJECT_TYPES),
  object_id: Uuid,
  action: Type.Enum(['insert', 'update', 'delete'] as const),
  before: FieldValues,
  after: FieldValues,
  actor_id: Type.Union([Uuid, Type.Null()], { description: 'Null for a change by a background job or a guest' }),
  actor_kind: Type.Enum(['staff', 'customer', 'anonymous', 'system'] as const),
  request_id: Type.String({ description: 'The X-Request-Id of the request, or job:<id> for a background job' }),
  created_at: Timestamp,
});

export const AuditQuery = Type.Object({
  ...PageQuery,
  actor: Type.Optional(Uuid),
  route: Type.Optional(Type.String({ maxLength: 300, description: 'Route-level entries only' })),
  request_id: Type.Optional(Type.String({ maxLength: 200 })),
  object_type: Type.Optional(
    Type.Enum(AUDITED_OBJECT_TYPES, {
      description: 'Lists field-level changes of this kind of object instead of route-level entries',
    }),
  ),
  object_id: Type.Optional(Type.String({ format: 'uuid', description: "With object_type: that one object's history" })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});
