// Row -> JSON/CSV presenters of the admin API: background jobs (payloads redacted) and the orders CSV export.
import type { JobRow } from '../../core/jobs.tables.js';
import { formatMoney } from '../../core/money.js';
import type { OrderExportRow } from '../orders/orders.service.js';

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key/i;

/** Payload values under secret-looking keys never reach a screen (handlers should not store them anyway). */
function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

function summary(payload: Record<string, unknown>): string {
  const text = Object.entries(payload)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function presentJob(row: JobRow) {
  const payload = redact(row.payload ?? {}) as Record<string, unknown>;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    is_failed: row.lastError !== null && row.status !== 'done',
    payload,
    payload_summary: summary(payload),
    attempts: row.attempts,
    max_attempts: row.maxAttempts,
    last_error: row.lastError,
    run_at: new Date(row.runAt).toISOString(),
    locked_until: iso(row.lockedUntil),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    finished_at: iso(row.finishedAt),
  };
}

export const ORDER_EXPORT_COLUMNS = [
  'order_number',
  'id',
  'created_at',
  'status',
  'payment_status',
  'email',
  'user_id',
  'currency',
  'subtotal',
  'discount_amount',
  'tax_amount',
  'shipping_cost',
  'total',
  'coupon_code',
  'item_quantity',
  'shipping_name',
  'shipping_city',
  'shipping_country',
] as const;

export function orderRow(o: OrderExportRow): unknown[] {
  const money = (minor: number) => formatMoney(minor, o.currency);
  return [
    o.orderNumber,
    o.id,
    o.createdAt.toISOString(),
    o.status,
    o.paymentStatus,
    o.email,
    o.userId,
    o.currency,
    money(o.subtotal),
    money(o.discountAmount),
    money(o.taxAmount),
    money(o.shippingCost),
    money(o.total),
    o.couponCode ?? '',
    o.itemQuantity,
    o.shippingAddress.fullName,
    o.shippingAddress.city,
    o.shippingAddress.country,
  ];
}
