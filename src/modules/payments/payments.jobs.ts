// Jobs of the payments module (definitions, then handlers). All idempotent: refunds carry request keys and
// provider idempotency keys, so a job that runs twice never refunds twice. Payments also handles orders'
// `refundOrderJob` (defined in orders.jobs.ts: orders sits below payments).
import type { AppContext } from '../../core/context.js';
import { defineJob, handleJob, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { refundOrderJob } from '../orders/orders.jobs.js';
import { cancelOrderPayments } from './payments.cancel.js';
import { refundOrder, retryRefund } from './refunds.service.js';

export const retryRefundJob = defineJob<{ refundId: string }>('payments.retry_refund');
/** Enqueued by the order cancel hook: closes what it could not and cancels provider intents after commit. */
export const cancelOrderPaymentsJob = defineJob<{ orderId: string }>('payments.cancel_order_payments');

export function paymentsJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    /** Enqueued by orders when a paid order is cancelled or refunded by staff. */
    handleJob(refundOrderJob, async (job) => refundOrder(ctx, job.payload.orderId)),
    handleJob(retryRefundJob, async (job) => retryRefund(ctx, job.payload.refundId)),
    handleJob(cancelOrderPaymentsJob, async (job) => cancelOrderPayments(ctx, job.payload.orderId)),
  );
}
