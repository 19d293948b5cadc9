// Coupons both ways: a staff JSON body -> service fields (money parsed in the shop currency), a row -> JSON.
import { formatMoney, parseMoney } from '../../core/money.js';
import type { CouponPatch } from './coupons.schemas.js';
import { type CouponFields, couponValueString } from './coupons.service.js';
import type { CouponRow } from './orders.tables.js';

/** JSON body -> service fields; money parsed in the shop currency, absent keys stay absent. */
export function couponFieldsFrom(body: CouponPatch, currency: string): CouponFields {
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
