import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
