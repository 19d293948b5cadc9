import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per email handed to the mail server, keyed by what makes it unique (job id + recipient). Written
 * right after the send, so a job that runs again (its own bookkeeping was lost) sees it and does not send twice.
 */
export const sentEmails = pgTable('sent_emails', {
  key: text('key').primaryKey(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
});
