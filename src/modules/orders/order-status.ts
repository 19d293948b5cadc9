// The order status machine: which status may follow which. Pure, so the rules are unit tested on their own.
import { Conflict } from '../../core/errors.js';

export const ORDER_STATUSES = ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_STATUSES = ['unpaid', 'pending', 'paid', 'failed', 'refunded', 'partially_refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

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
