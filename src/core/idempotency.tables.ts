import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Idempotency keys for POSTs that create things (orders, payment intents, refunds). One row per
 * (scope, owner, key); `request_hash` detects a different body under the same key; the stored response is
 * returned to every retry. `status_code` is null while a request that claimed the key outside a transaction runs.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scope: text('scope').notNull(),
    ownerId: text('owner_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_scope_owner_key').on(t.scope, t.ownerId, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);
