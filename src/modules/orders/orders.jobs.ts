// Jobs of the orders module (definitions, then handlers): order emails, unpaid-order expiry, low-stock alerts,
// product-cache invalidation for changes made without a context, and idempotency-key cleanup. All idempotent.
// `refundOrderJob` is the one orders enqueues and payments handles: it is defined here because orders sits below
// payments and cannot import it (src/modules/README.md).
import type { AppContext } from '../../core/context.js';
import { deleteExpiredIdempotencyKeys } from '../../core/idempotency.js';
import { defineJob, handleJob, type Job, type JobHandler, jobHandlers } from '../../core/jobs.js';
import { renderEmail, sendMailOnce } from '../../core/mail.js';
import { formatMoney } from '../../core/money.js';
import { listStaffEmails } from '../accounts/accounts.service.js';
import { invalidateProductCache } from '../catalog/catalog.service.js';
import { getSellableVariants } from '../catalog/inventory.service.js';
import type { OrderEmailKind } from './orders.lifecycle.js';
import { expireUnpaidOrder, loadOrderDetail } from './orders.service.js';

export const orderEmailJob = defineJob<{ orderId: string; kind: OrderEmailKind }>('orders.send_email');
export const expireUnpaidOrderJob = defineJob<{ orderId: string }>('orders.expire_unpaid');
export const lowStockAlertJob = defineJob<{ variantId: string; productId: string; stockQuantity: number; threshold: number }>(
  'orders.low_stock_alert',
);
export const invalidateProductCacheJob = defineJob<{ productIds: string[] }>('orders.invalidate_product_cache');
export const cleanupIdempotencyKeysJob = defineJob('orders.cleanup_idempotency_keys');
/** A paid order was cancelled or refunded by staff: payments refunds what was captured. Handled by payments. */
export const refundOrderJob = defineJob<{ orderId: string }>('payments.refund_order');

const SUBJECTS: Record<OrderEmailKind, (n: string) => string> = {
  confirmation: (n) => `We received your order ${n}`,
  paid: (n) => `Payment received for order ${n}`,
  shipped: (n) => `Your order ${n} is on its way`,
  delivered: (n) => `Your order ${n} was delivered`,
  cancelled: (n) => `Your order ${n} was cancelled`,
  refunded: (n) => `Your order ${n} was refunded`,
};

/** Once per job (sendMailOnce): a rerun after lost bookkeeping does not email the customer twice. */
async function sendOrderEmail(ctx: AppContext, job: Job<{ orderId: string; kind: OrderEmailKind }>) {
  await sendMailOnce(ctx, `job:${job.id}`, () => renderOrderEmail(ctx, job));
}

async function renderOrderEmail(ctx: AppContext, job: Job<{ orderId: string; kind: OrderEmailKind }>) {
  const detail = await loadOrderDetail(ctx.db, job.payload.orderId);
  if (!detail?.order.email) return undefined;
  const { order, items } = detail;
  const money = (minor: number) => `${formatMoney(minor, order.currency)} ${order.currency}`;
  const subject = SUBJECTS[job.payload.kind](order.orderNumber);
  const lines = items.map(
    (i) => `${i.quantity} × ${i.productName}${i.variantName ? ` (${i.variantName})` : ''} — ${money(i.lineTotal)}`,
  );
  const paragraphs =
    job.payload.kind === 'confirmation'
      ? [...lines, `Total: ${money(order.total)}`]
      : [`${subject}.`, `Order total: ${money(order.total)}`];
  const message = renderEmail(order.email, {
    subject,
    greeting: `Hello ${order.shippingAddress.fullName || ''},`.replace(' ,', ','),
    paragraphs,
    action: { label: 'View your order', url: `${ctx.config.frontendUrl}/orders/${order.id}` },
  });
  return message;
}

async function sendLowStockAlert(ctx: AppContext, job: Job<{ variantId: string; stockQuantity: number; threshold: number }>) {
  const variant = (await getSellableVariants(ctx.db, [job.payload.variantId])).get(job.payload.variantId);
  if (!variant) return;
  const recipients = await listStaffEmails(ctx.db);
  for (const to of recipients) {
    await sendMailOnce(ctx, `job:${job.id}:${to}`, async () =>
      renderEmail(to, {
        subject: `Low stock: ${variant.sku}`,
        greeting: 'Hello,',
        paragraphs: [
          `${variant.productName} (${variant.sku}) is down to ${variant.stockQuantity} in stock ` +
            `(threshold ${job.payload.threshold}).`,
        ],
      }),
    );
  }
}

export function orderJobs(ctx: AppContext): Record<string, JobHandler> {
  return jobHandlers(
    handleJob(orderEmailJob, (job) => sendOrderEmail(ctx, job)),
    handleJob(expireUnpaidOrderJob, async (job) => {
      await expireUnpaidOrder(ctx, job.payload.orderId);
    }),
    handleJob(lowStockAlertJob, (job) => sendLowStockAlert(ctx, job)),
    handleJob(invalidateProductCacheJob, async (job) => {
      await invalidateProductCache(ctx, job.payload.productIds);
    }),
    handleJob(cleanupIdempotencyKeysJob, async () => {
      const deleted = await deleteExpiredIdempotencyKeys(ctx.db, ctx.now());
      if (deleted) ctx.log.info({ deleted }, 'deleted expired idempotency keys');
    }),
  );
}
