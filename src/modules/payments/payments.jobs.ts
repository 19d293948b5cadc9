// Job handlers of the payments module. Both are idempotent: refunds carry request keys and provider
// idempotency keys, so a job that runs twice never refunds twice.
import type { AppContext } from '../../core/context.js';
import type { Job, JobHandler } from '../../core/jobs.js';
import { CANCEL_ORDER_PAYMENTS_JOB, cancelOrderPayments } from './payments.cancel.js';
import { refundOrder, retryRefund } from './refunds.service.js';

export function paymentsJobs(ctx: AppContext): Record<string, JobHandler> {
  return {
    /** Enqueued by orders when a paid order is cancelled or refunded by staff. */
    'payments.refund_order': async (job: Job<{ orderId: string }>) => refundOrder(ctx, job.payload.orderId),
    'payments.retry_refund': async (job: Job<{ refundId: string }>) => retryRefund(ctx, job.payload.refundId),
    /** Enqueued by the order cancel hook: closes what it could not and cancels provider intents after commit. */
    [CANCEL_ORDER_PAYMENTS_JOB]: async (job: Job<{ orderId: string }>) => cancelOrderPayments(ctx, job.payload.orderId),
  };
}
