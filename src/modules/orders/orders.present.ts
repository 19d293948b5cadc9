// Orders both ways between the API and the domain: query strings and address input -> the service's values,
// order details -> the JSON clients expect.
import type { Static } from 'typebox';
import { formatMoney } from '../../core/money.js';
import type { OrderStatus } from './order-status.js';
import type { OrderOrdering } from './orders.repo.js';
import type { AddressInput } from './orders.schemas.js';
import type { OrderDetail, OrderListQuery as OrderListQueryInput } from './orders.service.js';
import type { OrderAddress } from './orders.tables.js';

const DAY_MS = 86_400_000;

/** A date-only bound is a whole UTC day: `after` from its start, `before` up to its end. */
function dateBound(value: string | undefined, side: 'after' | 'before'): Date | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(value);
  const start = new Date(`${value}T00:00:00Z`);
  return side === 'after' ? start : new Date(start.getTime() + DAY_MS);
}

/** Query string -> the service's filter (the list and the export read the same filters the same way). */
export function orderQueryFrom(q: {
  all?: boolean;
  status?: OrderStatus;
  user?: string;
  created_after?: string;
  created_before?: string;
  email?: string;
  order_number?: string;
  ordering?: OrderOrdering;
}): OrderListQueryInput {
  return {
    all: q.all,
    status: q.status,
    userId: q.user,
    createdFrom: dateBound(q.created_after, 'after'),
    createdBefore: dateBound(q.created_before, 'before'),
    email: q.email,
    orderNumber: q.order_number,
    ordering: q.ordering,
  };
}

export const addressFromInput = (a: Static<typeof AddressInput>): OrderAddress => ({
  fullName: a.full_name,
  phone: a.phone ?? '',
  line1: a.line1,
  line2: a.line2 ?? '',
  city: a.city,
  state: a.state ?? '',
  postalCode: a.postal_code,
  country: a.country.toUpperCase(),
});

const addressJson = (a: OrderAddress) => ({
  full_name: a.fullName,
  phone: a.phone,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  state: a.state,
  postal_code: a.postalCode,
  country: a.country,
});

export function orderJson({ order, items, history }: OrderDetail) {
  const money = (minor: number) => formatMoney(minor, order.currency);
  return {
    id: order.id,
    order_number: order.orderNumber,
    status: order.status,
    payment_status: order.paymentStatus,
    user_id: order.userId,
    email: order.email,
    items: items.map((i) => ({
      id: i.id,
      product_id: i.productId,
      variant_id: i.variantId,
      product_name: i.productName,
      variant_name: i.variantName,
      sku: i.sku,
      options: i.options,
      unit_price: money(i.unitPrice),
      quantity: i.quantity,
      line_total: money(i.lineTotal),
    })),
    subtotal: money(order.subtotal),
    tax_amount: money(order.taxAmount),
    shipping_cost: money(order.shippingCost),
    discount_amount: money(order.discountAmount),
    total: money(order.total),
    currency: order.currency,
    coupon_code: order.couponCode,
    shipping_address: addressJson(order.shippingAddress),
    billing_address: addressJson(order.billingAddress),
    notes: order.notes,
    status_history: history.map((h) => ({
      id: h.id,
      from_status: h.fromStatus,
      status: h.toStatus,
      note: h.note,
      changed_by: h.actorId,
      created_at: h.createdAt.toISOString(),
    })),
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
  };
}
