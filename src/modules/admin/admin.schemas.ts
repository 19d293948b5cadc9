// TypeBox schemas of the admin API (dashboard, jobs, review moderation, bulk product work, CSV import).
import { Type } from 'typebox';
import { MoneyString, Timestamp, Uuid } from '../../core/http.js';
import { JOB_STATUS_FILTERS } from '../../core/jobs-admin.js';
import { PageQuery } from '../../core/pagination.js';
import { BULK_ACTIONS } from '../catalog/products-bulk.service.js';
import { ORDER_STATUSES } from '../orders/order-status.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Windows = (item: ReturnType<typeof Type.Integer> | typeof MoneyString) =>
  Type.Object({ today: item, last_7_days: item, last_30_days: item });

export const StatsJson = Type.Object(
  {
    generated_at: Timestamp,
    currency: Type.String(),
    revenue_statuses: Type.Array(Type.String(), { description: 'Order statuses whose totals count as revenue' }),
    revenue: Windows(MoneyString),
    paid_orders: Windows(Type.Integer({ description: 'Orders in a revenue status' })),
    orders: Windows(Type.Integer({ description: 'Every order placed, any status' })),
    orders_by_status: Type.Object(Object.fromEntries(ORDER_STATUSES.map((s) => [s, Type.Integer()]))),
    new_customers: Windows(Type.Integer()),
    daily_revenue: Type.Array(
      Type.Object({
        date: Type.String({ format: 'date' }),
        revenue: MoneyString,
        orders: Type.Integer({ description: 'Orders in a revenue status placed that day' }),
      }),
      { description: '30 UTC days, oldest first, the last is today; days without orders are zeros' },
    ),
    low_stock: Type.Object({
      count: Type.Integer(),
      results: Type.Array(
        Type.Object({
          variant_id: Uuid,
          product_id: Uuid,
          product_name: Type.String(),
          product_slug: Type.String(),
          sku: Type.String(),
          variant_name: Type.String(),
          stock_quantity: Type.Integer(),
          low_stock_threshold: Type.Integer(),
        }),
      ),
    }),
    jobs: Type.Object({
      failed: Type.Integer({ description: 'Pending jobs that failed and wait for a retry' }),
      dead: Type.Integer(),
      pending: Type.Integer(),
    }),
  },
  { title: 'AdminStats' },
);

export const JobJson = Type.Object(
  {
    id: Uuid,
    type: Type.String(),
    status: Type.Union(['pending', 'running', 'done', 'dead'].map((s) => Type.Literal(s))),
    is_failed: Type.Boolean({ description: 'Has a last error and is not done' }),
    payload: Type.Record(Type.String(), Type.Unknown()),
    payload_summary: Type.String(),
    attempts: Type.Integer(),
    max_attempts: Type.Integer(),
    last_error: Nullable(Type.String()),
    run_at: Timestamp,
    locked_until: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
    finished_at: Nullable(Timestamp),
  },
  { title: 'Job' },
);

export const JobListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union(JOB_STATUS_FILTERS.map((s) => Type.Literal(s)))),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const AdminReviewJson = Type.Object(
  {
    id: Uuid,
    product: Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() }),
    user_id: Uuid,
    user_name: Type.String(),
    rating: Type.Integer(),
    title: Type.String(),
    body: Type.String(),
    is_verified_purchase: Type.Boolean(),
    is_hidden: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'AdminReview' },
);

export const ReviewListQuery = Type.Object({
  ...PageQuery,
  rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  is_hidden: Type.Optional(Type.Boolean()),
  product: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Product slug' })),
});

export const ReviewPatch = Type.Object({ is_hidden: Type.Boolean() });

const SignedNumber = (description: string) =>
  Type.Union([Type.String({ pattern: '^-?\\d{1,12}(\\.\\d+)?$', maxLength: 20 }), Type.Number()], { description });

export const BulkBody = Type.Object({
  ids: Type.Array(Uuid, { minItems: 1, maxItems: 1000, uniqueItems: true, description: 'Product ids' }),
  action: Type.Union(BULK_ACTIONS.map((a) => Type.Literal(a))),
  category_id: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'move_category: target; null = none' })),
  percent: Type.Optional(SignedNumber('adjust_price: signed percent, e.g. "-10" (10% off)')),
  amount: Type.Optional(SignedNumber('adjust_price: signed amount, e.g. "-2.50"')),
});

export const BulkResult = Type.Object({
  action: Type.String(),
  updated: Type.Integer(),
  ids: Type.Array(Uuid),
});

export const ImportQuery = Type.Object({
  dry_run: Type.Boolean({ default: true, description: 'true (default): validate and report only; false: import' }),
});

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer() });
export const ImportReportJson = Type.Object(
  {
    dry_run: Type.Boolean(),
    applied: Type.Boolean({ description: 'Whether anything was written' }),
    rows: Type.Integer(),
    valid_rows: Type.Integer(),
    error_count: Type.Integer(),
    errors: Type.Array(
      Type.Object({
        row: Type.Integer({ description: 'Line in the file (header = 1)' }),
        field: Type.String(),
        message: Type.String(),
      }),
      { description: 'First 1000 errors' },
    ),
    products: Counts,
    variants: Counts,
    results: Type.Array(
      Type.Object({
        row: Type.Integer(),
        product_slug: Type.String(),
        variant_sku: Type.String(),
        product_action: Type.Union([Type.Literal('create'), Type.Literal('update')]),
        variant_action: Type.Union([Type.Literal('create'), Type.Literal('update')]),
      }),
      { description: 'What each valid row does (first 1000)' },
    ),
  },
  { title: 'ImportReport' },
);
