// The order status machine (which status may follow which) and every named set of order and order-payment
// statuses: code asks these instead of listing statuses inline. Pure, so the rules are unit tested on their own.
import { Conflict } from '../../core/errors.js';

export const ORDER_STATUSES = ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The order's payment_status (the payment attempts have their own statuses: payments.tables.ts). */
export const PAYMENT_STATUSES = ['unpaid', 'pending', 'paid', 'failed', 'refunded', 'partially_refunded'] as const;
export type OrderPaymentStatus = (typeof PAYMENT_STATUSES)[number];
/** @deprecated the same type; say OrderPaymentStatus (payments has its own PaymentStatus). */
export type PaymentStatus = OrderPaymentStatus;

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['processing', 'cancelled', 'refunded'],
  processing: ['shipped', 'cancelled', 'refunded'],
  shipped: ['delivered', 'refunded'],
  delivered: ['refunded'],
  cancelled: [],
  refunded: [],
};

/** Statuses an order may be cancelled from (before shipping). */
export const CANCELLABLE: readonly OrderStatus[] = ['pending', 'paid', 'processing'];

/** Paid and not undone: a full refund moves these to `refunded` (with history and stock back). */
export const REFUNDABLE: readonly OrderStatus[] = ['paid', 'processing', 'shipped', 'delivered'];

/** Final statuses that gave the order up: money that arrives afterwards must go back. */
export const CLOSED: readonly OrderStatus[] = ['cancelled', 'refunded'];

/** Payment statuses that money decided (captured at some point): an open or failed attempt never overwrites them. */
export const MONEY_SETTLED: readonly OrderPaymentStatus[] = ['paid', 'refunded', 'partially_refunded'];

/** Payment statuses under which the shop holds captured money (all of it, or what a partial refund left). */
export const MONEY_HELD: readonly OrderPaymentStatus[] = ['paid', 'partially_refunded'];

export const isCancellable = (status: OrderStatus) => CANCELLABLE.includes(status);
export const isRefundable = (status: OrderStatus) => REFUNDABLE.includes(status);
export const isClosed = (status: OrderStatus) => CLOSED.includes(status);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

/** Throws a 409 `invalid_transition` naming the legal next statuses. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw new Conflict(
    `Cannot change an order from "${from}" to "${to}".` +
      (allowed.length ? ` Allowed: ${allowed.join(', ')}.` : ` "${from}" is final.`),
    'invalid_transition',
    { current_status: from, allowed: [...allowed] },
  );
}
