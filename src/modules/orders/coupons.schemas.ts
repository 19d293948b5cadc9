// Coupon request and response schemas (staff CRUD), and the mapping between JSON and service fields.
import { type Static, Type } from 'typebox';
import { MoneyInput, MoneyString, Timestamp, Uuid } from '../../core/http.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import { type CouponFields, couponValueString } from './coupons.service.js';
import type { CouponRow } from './orders.tables.js';

const NullableInt = (min: number) => Type.Union([Type.Integer({ minimum: min, maximum: 100_000_000 }), Type.Null()]);
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const couponFields = {
  code: Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_-]+$' }),
  description: Type.String({ maxLength: 500 }),
  discount_type: Type.Enum(['percentage', 'fixed'] as const),
  value: { ...MoneyInput, description: 'Percent ("12.5") for percentage; amount ("10.00") for fixed' },
  minimum_subtotal: MoneyInput,
  maximum_discount: Type.Union([MoneyInput, Type.Null()]),
  valid_from: NullableTime,
  valid_to: NullableTime,
  usage_limit: NullableInt(0),
  per_user_limit: NullableInt(1),
  is_active: Type.Boolean(),
};

export const CouponCreateBody = Type.Object({
  ...Type.Partial(Type.Object(couponFields)).properties,
  code: couponFields.code,
  discount_type: couponFields.discount_type,
  value: couponFields.value,
});
export const CouponPatchBody = Type.Partial(Type.Object(couponFields));

export const CouponJson = Type.Object({
  id: Uuid,
  code: Type.String(),
  description: Type.String(),
  discount_type: Type.String(),
  value: MoneyString,
  currency: Type.String(),
  minimum_subtotal: MoneyString,
  maximum_discount: Type.Union([MoneyString, Type.Null()]),
  valid_from: Type.Union([Timestamp, Type.Null()]),
  valid_to: Type.Union([Timestamp, Type.Null()]),
  usage_limit: Type.Union([Type.Integer(), Type.Null()]),
  per_user_limit: Type.Union([Type.Integer(), Type.Null()]),
  used_count: Type.Integer(),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

type PatchBody = Static<typeof CouponPatchBody>;

/** JSON body -> service fields; money parsed in the shop currency, absent keys stay absent. */
export function couponFieldsFrom(body: PatchBody, currency: string): CouponFields {
  const time = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
  const fields: CouponFields = {
    code: body.code,
    description: body.description,
    discountType: body.discount_type,
    value: body.value,
    minimumSubtotal:
      body.minimum_subtotal === undefined ? undefined : parseMoney(body.minimum_subtotal, currency, 'minimum_subtotal'),
    maximumDiscount:
      body.maximum_discount === undefined || body.maximum_discount === null
        ? body.maximum_discount
        : parseMoney(body.maximum_discount, currency, 'maximum_discount'),
    validFrom: time(body.valid_from),
    validTo: time(body.valid_to),
    usageLimit: body.usage_limit,
    perUserLimit: body.per_user_limit,
    isActive: body.is_active,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as CouponFields;
}

export function couponJson(c: CouponRow) {
  return {
    id: c.id,
    code: c.code,
    description: c.description,
    discount_type: c.discountType,
    value: couponValueString(c),
    currency: c.currency,
    minimum_subtotal: formatMoney(c.minimumSubtotal, c.currency),
    maximum_discount: c.maximumDiscount === null ? null : formatMoney(c.maximumDiscount, c.currency),
    valid_from: c.validFrom?.toISOString() ?? null,
    valid_to: c.validTo?.toISOString() ?? null,
    usage_limit: c.usageLimit,
    per_user_limit: c.perUserLimit,
    used_count: c.usedCount,
    is_active: c.isActive,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
