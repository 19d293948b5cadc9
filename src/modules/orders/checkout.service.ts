// Checkout: the cart becomes an order in ONE transaction (order and item snapshots, cart emptied, jobs written
// to the outbox, stock reserved, coupon use), at most once per Idempotency-Key. Hot rows come last: in a flash
// sale every buyer wants the same variant rows, so everything that needs no lock on them (reads, pricing,
// validation, the order's own rows) runs first, and the stock is taken in ONE statement just before commit.
// The variant rows stay locked for that statement and the commit, not for the whole checkout.
import { randomInt } from 'node:crypto';
import type { AuthUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { type Db, retryTransient } from '../../core/db.js';
import { BusinessRuleFailed, Conflict, fieldError } from '../../core/errors.js';
import { runIdempotent } from '../../core/idempotency.js';
import { enqueueJobs, jobRow } from '../../core/jobs.js';
import { MAX_MINOR_UNITS } from '../../core/money.js';
import { getAddressForUser, getUserSummary } from '../accounts/accounts.service.js';
import { emptyCart, lockCartForCheckout } from '../cart/cart.service.js';
import { cartTotals, priceOrder, taxRateFor } from '../cart/pricing.service.js';
import { invalidateProductCache } from '../catalog/catalog.service.js';
import {
  getSellableVariants,
  type ReservedStock,
  reserveStock,
  type SellableVariant,
  sumLines,
} from '../catalog/inventory.service.js';
import { findApplicableCoupon, redeemCoupon } from './coupons.service.js';
import { expireUnpaidOrderJob, lowStockAlertJob } from './orders.jobs.js';
import { orderEmailJobRow } from './orders.lifecycle.js';
import * as repo from './orders.repo.js';
import { loadOrderDetail, type OrderDetail } from './orders.service.js';
import type { OrderAddress, OrderRow } from './orders.tables.js';

export interface CheckoutInput {
  shippingAddressId?: string;
  shippingAddress?: OrderAddress;
  billingAddressId?: string;
  billingAddress?: OrderAddress;
  couponCode?: string;
  notes?: string;
}

interface PricedLine {
  variant: SellableVariant;
  quantity: number;
}

const ORDER_NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford: no I, L, O, U

/** EMP-20261125-7K3QZ9: the date for humans, six random characters for uniqueness (retried on collision). */
export function newOrderNumber(now: Date): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ORDER_NUMBER_ALPHABET[randomInt(ORDER_NUMBER_ALPHABET.length)];
  return `EMP-${date}-${suffix}`;
}

async function resolveAddress(
  tx: Db,
  userId: string,
  id: string | undefined,
  inline: OrderAddress | undefined,
  field: 'shipping_address' | 'billing_address',
): Promise<OrderAddress | undefined> {
  if (id && inline) throw fieldError(`${field}_id`, `Send either ${field}_id or ${field}, not both.`);
  if (inline) return { ...inline, country: inline.country.toUpperCase() };
  // without either, the shipping address falls back to the user's default one
  const found = await getAddressForUser(tx, userId, id ?? { default: 'shipping' });
  if (id && !found) throw fieldError(`${field}_id`, `Invalid pk "${id}" - object does not exist.`, 'does_not_exist');
  if (!found) return undefined;
  const { id: _id, ...address } = found;
  return address;
}

/** Shipping (required; the default one when none is sent) and billing (the shipping one when none is sent). */
async function resolveOrderAddresses(tx: Db, userId: string, input: CheckoutInput) {
  const shipping = await resolveAddress(tx, userId, input.shippingAddressId, input.shippingAddress, 'shipping_address');
  if (!shipping) throw fieldError('shipping_address_id', 'This field is required (or shipping_address).', 'required');
  const billing =
    input.billingAddressId || input.billingAddress
      ? ((await resolveAddress(tx, userId, input.billingAddressId, input.billingAddress, 'billing_address')) ?? shipping)
      : shipping;
  return { shipping, billing };
}

/** Cart lines summed per variant, each still on sale in the shop's currency (409 `unavailable` otherwise). */
async function priceCartLines(ctx: AppContext, tx: Db, items: { variantId: string; quantity: number }[]): Promise<PricedLine[]> {
  const lines = sumLines(items);
  const variants = await getSellableVariants(
    tx,
    lines.map((l) => l.variantId),
  );
  return lines.map((line) => {
    const variant = variants.get(line.variantId);
    if (!variant?.isAvailable || variant.currency !== ctx.config.currency) {
      throw new Conflict('An item in your cart is no longer available; remove it and try again.', 'unavailable', {
        variant_id: line.variantId,
      });
    }
    return { variant, quantity: line.quantity };
  });
}

async function insertOrderWithNumber(tx: Db, values: Omit<repo.NewOrder, 'orderNumber'>, now: Date): Promise<OrderRow> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const order = await repo.insertOrder(tx, { ...values, orderNumber: newOrderNumber(now) });
    if (order) return order;
  }
  throw new Error('could not draw a free order number');
}

/** The confirmation email and the unpaid-order expiry, in one statement. */
async function enqueueCheckoutJobs(ctx: AppContext, tx: Db, order: OrderRow, now: Date) {
  const timeout = ctx.config.paymentProvider === 'manual' ? ctx.config.manualPaymentTimeout : ctx.config.orderPaymentTimeout;
  await enqueueJobs(tx, [
    orderEmailJobRow(order.id, 'confirmation'),
    jobRow(
      expireUnpaidOrderJob,
      { orderId: order.id },
      { runAt: new Date(now.getTime() + timeout * 1000), dedupeKey: `${expireUnpaidOrderJob.type}:${order.id}` },
    ),
  ]);
}

/** Low-stock alerts for the variants this order took to their threshold (rare: no statement otherwise). */
async function enqueueLowStockAlerts(tx: Db, reserved: ReservedStock[]) {
  await enqueueJobs(
    tx,
    reserved
      .filter((r) => r.crossedLowStock)
      .map((r) =>
        jobRow(lowStockAlertJob, {
          variantId: r.variantId,
          productId: r.productId,
          stockQuantity: r.stockAfter,
          threshold: r.lowStockThreshold,
        }),
      ),
  );
}

/** Cart, addresses, prices, coupon and totals: every read and check, before any row is written or locked. */
async function prepareCheckout(ctx: AppContext, tx: Db, userId: string, input: CheckoutInput, now: Date) {
  const cart = await lockCartForCheckout(tx, userId);
  if (!cart?.items.length) throw new BusinessRuleFailed('Your cart is empty.', 'cart_empty');
  const { shipping, billing } = await resolveOrderAddresses(tx, userId, input);
  const lines = await priceCartLines(ctx, tx, cart.items);
  const merchandise = cartTotals(lines.map((l) => ({ unitPrice: l.variant.price, quantity: l.quantity }))).subtotal;
  const coupon = input.couponCode
    ? await findApplicableCoupon(tx, input.couponCode, { subtotal: merchandise, currency: ctx.config.currency, now })
    : null;
  const totals = priceOrder({
    lines: lines.map((l) => ({ unitPrice: l.variant.price, quantity: l.quantity })),
    coupon,
    taxRate: taxRateFor(shipping.country, ctx.config.taxRates, ctx.config.taxRate),
    shipping: { flatRate: ctx.config.shippingFlatRate, freeThreshold: ctx.config.freeShippingThreshold },
  });
  if (totals.subtotal > MAX_MINOR_UNITS || totals.total > MAX_MINOR_UNITS) {
    throw new BusinessRuleFailed('This order is too large to place at once; split it into smaller orders.', 'order_too_large');
  }
  const contact = await getUserSummary(tx, userId);
  return { cartId: cart.cartId, shipping, billing, lines, coupon, totals, email: contact?.email ?? '' };
}

/**
 * Everything checkout changes, in the caller's transaction: the order's own rows first, the shared hot rows
 * (variant stock, then the coupon's use count) last. Returns the placed order and the products whose stock moved.
 */
async function checkoutInTransaction(ctx: AppContext, tx: Db, userId: string, input: CheckoutInput) {
  const now = ctx.now();
  const { cartId, shipping, billing, lines, coupon, totals, email } = await prepareCheckout(ctx, tx, userId, input, now);
  const order = await insertOrderWithNumber(
    tx,
    {
      userId,
      email,
      currency: ctx.config.currency,
      subtotal: totals.subtotal,
      taxAmount: totals.tax,
      shippingCost: totals.shipping,
      discountAmount: totals.discount,
      total: totals.total,
      couponId: coupon?.id ?? null,
      couponCode: coupon?.code ?? null,
      shippingAddress: shipping,
      billingAddress: billing,
      notes: input.notes ?? '',
    },
    now,
  );
  const items = await repo.insertOrderItems(
    tx,
    lines.map((l, position) => itemSnapshot(order.id, l, position)),
  );
  const history = await repo.insertStatusHistory(tx, {
    orderId: order.id,
    fromStatus: null,
    toStatus: 'pending',
    note: 'Order placed.',
    actorId: userId,
  });
  await emptyCart(tx, cartId);
  await enqueueCheckoutJobs(ctx, tx, order, now);
  // the hot rows, as late as possible: one conditional UPDATE for every line (409 and rollback when short)
  const reserved = await reserveStock(
    tx,
    lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })),
  );
  await enqueueLowStockAlerts(tx, reserved);
  if (coupon) await redeemCoupon(tx, coupon, userId, order.id);
  const detail: OrderDetail = { order, items: [...items].sort((a, b) => a.position - b.position), history: [history] };
  return { detail, productIds: [...new Set(reserved.map((r) => r.productId))] };
}

function itemSnapshot(orderId: string, line: PricedLine, position: number): repo.NewOrderItem {
  const v = line.variant;
  return {
    orderId,
    productId: v.productId,
    variantId: v.id,
    productName: v.productName,
    variantName: v.name,
    sku: v.sku,
    options: v.options,
    unitPrice: v.price,
    quantity: line.quantity,
    lineTotal: v.price * line.quantity,
    position,
  };
}

/**
 * POST /orders/: places the user's cart as an order. With an Idempotency-Key, a retry (even a concurrent
 * one) gets the same order back and creates nothing; the same key with another body is a 422.
 */
export async function placeOrder(
  ctx: AppContext,
  user: AuthUser,
  input: CheckoutInput,
  idempotencyKey: string | undefined,
): Promise<{ detail: OrderDetail; replayed: boolean }> {
  let productIds: string[] = [];
  let placed: OrderDetail | undefined;
  const result = await retryTransient(() =>
    runIdempotent<{ order_id: string }>(
      ctx.db,
      { scope: 'orders.checkout', ownerId: user.id, key: idempotencyKey, body: input, now: ctx.now() },
      async (tx) => {
        const done = await checkoutInTransaction(ctx, tx, user.id, input);
        productIds = done.productIds;
        placed = done.detail;
        return { statusCode: 201, body: { order_id: done.detail.order.id } };
      },
    ),
  );
  if (!result.replayed) {
    ctx.jobs.wake();
    await invalidateProductCache(ctx, productIds).catch((err) => ctx.log.warn({ err }, 'product cache invalidation failed'));
  }
  // a fresh order is exactly the rows just written (no reload); a replay shows the order as it is now
  const detail = !result.replayed && placed ? placed : await loadOrderDetail(ctx.db, result.body.order_id);
  if (!detail) throw new Error('placed order vanished');
  return { detail, replayed: result.replayed };
}
