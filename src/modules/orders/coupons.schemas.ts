// Coupon request and response schemas (staff CRUD); coupons.present.ts maps between them and the service.
import { type Static, Type } from 'typebox';
import { MoneyInput, MoneyString, Timestamp, Uuid } from '../../core/http.js';

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

export type CouponPatch = Static<typeof CouponPatchBody>;
