// All SQL of the payments module: payment attempts, refunds and processed webhook events.
import { and, count, desc, eq, inArray, ne, sql, sum } from 'drizzle-orm';
import type { Db } from '../../core/db.js';
import { isUuid } from '../../core/http.js';
import {
  CAPTURED_PAYMENT_STATUSES,
  OPEN_PAYMENT_STATUSES,
  type PaymentRow,
  payments,
  paymentWebhookEvents,
  type RefundRow,
  type RefundStatus,
  refunds,
} from './payments.tables.js';

export type NewPayment = typeof payments.$inferInsert;
export type PaymentChanges = Partial<Omit<NewPayment, 'id' | 'orderId' | 'createdAt'>>;
export type NewRefund = typeof refunds.$inferInsert;

export async function insertPayment(db: Db, values: NewPayment): Promise<PaymentRow> {
  const [row] = await db.insert(payments).values(values).returning();
  return row as PaymentRow;
}

/** A payment by id; `lock` takes the row lock (FOR UPDATE) that serializes confirm, webhooks and refunds. */
export async function findPayment(db: Db, id: string, lock = false): Promise<PaymentRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = db.select().from(payments).where(eq(payments.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function findPaymentByReference(db: Db, provider: string, reference: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.provider, provider as PaymentRow['provider']), eq(payments.providerReference, reference)));
  return row;
}

export async function findOpenPayment(db: Db, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), inArray(payments.status, [...OPEN_PAYMENT_STATUSES])));
  return row;
}

/** The order's open attempts, locked; `skipLocked` passes over rows another transaction holds right now. */
export async function lockOpenPaymentsOfOrder(db: Db, orderId: string, skipLocked: boolean): Promise<PaymentRow[]> {
  const query = db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), inArray(payments.status, [...OPEN_PAYMENT_STATUSES])))
    .orderBy(payments.id);
  return skipLocked ? query.for('update', { skipLocked: true }) : query.for('update');
}

export async function paymentsOfOrder(db: Db, orderId: string): Promise<PaymentRow[]> {
  return db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(payments.createdAt);
}

export async function findCapturedPayment(db: Db, orderId: string, exceptId?: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.orderId, orderId),
        inArray(payments.status, [...CAPTURED_PAYMENT_STATUSES]),
        exceptId ? ne(payments.id, exceptId) : undefined,
      ),
    );
  return row;
}

/** Captured payments of an order that still hold money to give back. */
export async function refundablePaymentsOfOrder(db: Db, orderId: string): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), inArray(payments.status, ['succeeded', 'partially_refunded'])))
    .orderBy(payments.createdAt);
}

export async function updatePayment(db: Db, id: string, changes: PaymentChanges): Promise<PaymentRow> {
  const [row] = await db
    .update(payments)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(payments.id, id))
    .returning();
  return row as PaymentRow;
}

/** Payments newest first: of one user (undefined = anyone's, for staff), optionally of one order. */
export async function listPaymentsOfUser(
  db: Db,
  userId: string | undefined,
  page: { limit: number; offset: number },
  orderId?: string,
): Promise<{ count: number; rows: PaymentRow[] }> {
  const where = and(...(userId ? [eq(payments.userId, userId)] : []), ...(orderId ? [eq(payments.orderId, orderId)] : []));
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(payments)
      .where(where)
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: count() }).from(payments).where(where),
  ]);
  return { count: Number(total?.n ?? 0), rows };
}

export async function insertRefund(db: Db, values: NewRefund): Promise<RefundRow> {
  const [row] = await db.insert(refunds).values(values).returning();
  return row as RefundRow;
}

export async function findRefund(db: Db, id: string, lock = false): Promise<RefundRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = db.select().from(refunds).where(eq(refunds.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function findRefundByRequestKey(db: Db, requestKey: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(eq(refunds.requestKey, requestKey));
  return row;
}

export async function updateRefund(db: Db, id: string, changes: Partial<NewRefund>): Promise<RefundRow> {
  const [row] = await db
    .update(refunds)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(refunds.id, id))
    .returning();
  return row as RefundRow;
}

/** Sum of a payment's refunds in these statuses (minor units). */
export async function sumRefunds(db: Db, paymentId: string, statuses: RefundStatus[]): Promise<number> {
  const [row] = await db
    .select({ total: sum(refunds.amount) })
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), inArray(refunds.status, statuses)));
  return Number(row?.total ?? 0);
}

export async function refundsOfPayment(db: Db, paymentId: string): Promise<RefundRow[]> {
  return db.select().from(refunds).where(eq(refunds.paymentId, paymentId)).orderBy(refunds.createdAt);
}

/** Marks our pending refunds known to the provider under these references as succeeded. */
export async function settleRefundsByReference(db: Db, paymentId: string, references: string[]): Promise<void> {
  if (!references.length) return;
  await db
    .update(refunds)
    .set({ status: 'succeeded', updatedAt: sql`now()` })
    .where(and(eq(refunds.paymentId, paymentId), eq(refunds.status, 'pending'), inArray(refunds.providerReference, references)));
}

/**
 * Records a webhook event id. False when it was already recorded: the caller then does nothing, and since the
 * insert shares the transaction of the event's effect, a concurrent duplicate waits here until that commits.
 */
export async function recordWebhookEvent(db: Db, id: string, type: string): Promise<boolean> {
  const rows = await db
    .insert(paymentWebhookEvents)
    .values({ id, type })
    .onConflictDoNothing()
    .returning({ id: paymentWebhookEvents.id });
  return rows.length > 0;
}

export async function countWebhookEvents(db: Db, id: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(paymentWebhookEvents).where(eq(paymentWebhookEvents.id, id));
  return Number(row?.n ?? 0);
}
