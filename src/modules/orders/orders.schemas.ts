// Order request and response schemas (TypeBox); orders.present.ts maps between them and the domain.
import { Type } from 'typebox';
import { MoneyString, Timestamp, Uuid } from '../../core/http.js';
import { PageQuery } from '../../core/pagination.js';
import { ORDER_STATUSES, PAYMENT_STATUSES } from './order-status.js';
import { ORDER_ORDERINGS } from './orders.repo.js';

const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });

export const AddressInput = Type.Object({
  full_name: Text(200, 1),
  phone: Type.Optional(Text(40)),
  line1: Text(200, 1),
  line2: Type.Optional(Text(200)),
  city: Text(100, 1),
  state: Type.Optional(Text(100)),
  postal_code: Text(20, 1),
  country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
});

export const AddressJson = Type.Object({
  full_name: Type.String(),
  phone: Type.String(),
  line1: Type.String(),
  line2: Type.String(),
  city: Type.String(),
  state: Type.String(),
  postal_code: Type.String(),
  country: Type.String(),
});

export const CheckoutBody = Type.Object({
  shipping_address_id: Type.Optional(Uuid),
  shipping_address: Type.Optional(AddressInput),
  billing_address_id: Type.Optional(Uuid),
  billing_address: Type.Optional(AddressInput),
  coupon_code: Type.Optional(Text(50, 1)),
  notes: Type.Optional(Text(2000)),
});

export const CheckoutHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' })),
});

export const StatusEnum = Type.Enum(ORDER_STATUSES);

const DateBound = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], { description });

/** The staff order filters, shared by the list and the CSV export (admin module). */
export const OrderFilterQuery = {
  all: Type.Optional(Type.Boolean({ description: 'Staff: every user’s orders' })),
  status: Type.Optional(StatusEnum),
  user: Type.Optional({ ...Uuid, description: 'Staff with all=true: one user’s orders' }),
  created_after: Type.Optional(DateBound('From this instant; a date (YYYY-MM-DD) means from its start (UTC)')),
  created_before: Type.Optional(DateBound('Before this instant; a date (YYYY-MM-DD) includes that whole day (UTC)')),
  email: Type.Optional(
    Type.String({ minLength: 1, maxLength: 254, description: 'Staff: customer email contains (case-insensitive)' }),
  ),
  order_number: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Staff: exact order number' })),
  ordering: Type.Optional(Type.Union(ORDER_ORDERINGS.map((o) => Type.Literal(o)))),
};

export const OrderListQuery = Type.Object({ ...PageQuery, ...OrderFilterQuery });

export const StatusBody = Type.Object({ status: StatusEnum, note: Type.Optional(Text(1000)) });
export const CancelBody = Type.Union([Type.Object({ reason: Type.Optional(Text(1000)) }), Type.Null()]);

export const OrderItemJson = Type.Object({
  id: Uuid,
  product_id: Type.Union([Uuid, Type.Null()]),
  variant_id: Type.Union([Uuid, Type.Null()]),
  product_name: Type.String(),
  variant_name: Type.String(),
  sku: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  unit_price: MoneyString,
  quantity: Type.Integer(),
  line_total: MoneyString,
});

export const StatusHistoryJson = Type.Object({
  id: Uuid,
  from_status: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  note: Type.String(),
  changed_by: Type.Union([Uuid, Type.Null()], { description: 'User who made the change; null for the system' }),
  created_at: Timestamp,
});

export const OrderJson = Type.Object({
  id: Uuid,
  order_number: Type.String(),
  status: StatusEnum,
  payment_status: Type.Enum(PAYMENT_STATUSES),
  user_id: Uuid,
  email: Type.String({ description: 'The customer’s email at checkout' }),
  items: Type.Array(OrderItemJson),
  subtotal: MoneyString,
  tax_amount: MoneyString,
  shipping_cost: MoneyString,
  discount_amount: MoneyString,
  total: MoneyString,
  currency: Type.String(),
  coupon_code: Type.Union([Type.String(), Type.Null()]),
  shipping_address: AddressJson,
  billing_address: AddressJson,
  notes: Type.String(),
  status_history: Type.Array(StatusHistoryJson),
  created_at: Timestamp,
  updated_at: Timestamp,
});
