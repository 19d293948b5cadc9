import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { ActorKind } from '../../core/audit-scope.js';

/**
 * The audit trail: one row per successful change made through the API by staff (POST/PUT/PATCH/DELETE answered
 * 2xx): who, which route with which ids, when, from where, and the request id that finds its log lines.
 * Bodies are not stored (they may hold personal data or secrets); the domain tables hold the result.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actorId: uuid('actor_id').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    path: text('path').notNull(),
    params: jsonb('params').notNull().$type<Record<string, string>>(),
    statusCode: integer('status_code').notNull(),
    requestId: text('request_id').notNull(),
    ip: text('ip').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_created_idx').on(t.createdAt), index('audit_log_actor_idx').on(t.actorId, t.createdAt)],
);

export type AuditEntry = typeof auditLog.$inferSelect;

/** The objects whose fields have a history, and the name each has in `audit_changes.object_type`. */
export const AUDITED_OBJECT_TYPES = ['product', 'variant', 'category', 'coupon', 'order', 'user'] as const;
export type AuditedObjectType = (typeof AUDITED_OBJECT_TYPES)[number];

/**
 * Field-level history: one row per changed row of an audited table (products, product_variants, categories,
 * coupons, orders, users), written by the row triggers of migration 0019 inside the change's own transaction,
 * so a rolled-back change leaves none. `before`/`after` hold only the audited columns that changed (all of them
 * on insert/delete; `before` is null on insert, `after` on delete), keyed by column name. Actor, kind and request
 * id come from the transaction's `emporium.*` settings; changes made with none set (seed, CLI, psql) are not
 * recorded. Kept for AUDIT_RETENTION_DAYS.
 */
export const auditChanges = pgTable(
  'audit_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    objectType: text('object_type').notNull().$type<AuditedObjectType>(),
    objectId: uuid('object_id').notNull(),
    action: text('action').notNull().$type<'insert' | 'update' | 'delete'>(),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    actorId: uuid('actor_id'),
    actorKind: text('actor_kind').notNull().$type<ActorKind>(),
    /** The HTTP request id (X-Request-Id), or `job:<id>` for a change made by a background job. */
    requestId: text('request_id').notNull(),
    /** clock_timestamp() of the change, so changes within one transaction keep their order. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_changes_object_idx').on(t.objectType, t.objectId, t.createdAt),
    index('audit_changes_created_idx').on(t.createdAt),
    index('audit_changes_request_idx').on(t.requestId),
  ],
);

export type AuditChange = typeof auditChanges.$inferSelect;
