// Coupons: staff CRUD, and the checks and atomic usage counting checkout relies on.
import type { Db } from '../../core/db.js';
import { fieldError, isUniqueViolation, NotFound, ValidationFailed } from '../../core/errors.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import type { PageRequest } from '../../core/pagination.js';
import type { CouponTerms } from '../cart/pricing.service.js';
import * as repo from './coupons.repo.js';
import type { CouponRow } from './orders.tables.js';

export type CouponInput = Omit<repo.NewCoupon, 'id' | 'usedCount' | 'createdAt' | 'updatedAt'>;

/** A coupon as staff send it: `value` is a percent ("12.5") or an amount ("10.00") as the type says. */
export type CouponFields = Omit<Partial<CouponInput>, 'value'> & { value?: string | number };

/** Percent with up to two decimals as basis points of a percent ("12.5" -> 1250); amounts in minor units. */
function parseValue(value: string | number, type: 'percentage' | 'fixed', currency: string): number {
  return type === 'percentage' ? parseMoney(value, 'USD', 'value') : parseMoney(value, currency, 'value');
}

export function couponValueString(coupon: CouponRow): string {
  return coupon.discountType === 'percentage' ? formatMoney(coupon.value, 'USD') : formatMoney(coupon.value, coupon.currency);
}

function checkCoupon(values: Partial<CouponInput>, current?: CouponRow) {
  const type = values.discountType ?? current?.discountType;
  const value = values.value ?? current?.value;
  const errors: Record<string, string[]> = {};
  if (type === 'percentage' && value !== undefined && value > 10000) errors.value = ['A percentage cannot exceed 100.'];
  if (value !== undefined && value <= 0) errors.value = ['Ensure this value is greater than 0.'];
  const from = values.validFrom !== undefined ? values.validFrom : current?.validFrom;
  const to = values.validTo !== undefined ? values.validTo : current?.validTo;
  if (from && to && to <= from) errors.valid_to = ['Must be later than valid_from.'];
  const limit = values.usageLimit !== undefined ? values.usageLimit : current?.usageLimit;
  if (current && limit != null && limit < current.usedCount) errors.usage_limit = [`Already used ${current.usedCount} times.`];
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
}

function duplicateCode(error: unknown): never {
  if (isUniqueViolation(error)) throw fieldError('code', 'A coupon with this code already exists.', 'unique');
  throw error;
}

export async function createCoupon(db: Db, fields: CouponFields & Pick<CouponInput, 'code' | 'discountType' | 'currency'>) {
  if (fields.value === undefined) throw fieldError('value', 'This field is required.', 'required');
  const input: CouponInput = { ...fields, value: parseValue(fields.value, fields.discountType, fields.currency) };
  checkCoupon(input);
  return repo.insertCoupon(db, { ...input, code: input.code.trim().toUpperCase() }).catch(duplicateCode);
}

export async function updateCoupon(db: Db, id: string, fields: CouponFields): Promise<CouponRow> {
  const current = await repo.findCoupon(db, id);
  if (!current) throw new NotFound();
  const type = fields.discountType ?? current.discountType;
  if (fields.discountType && fields.discountType !== current.discountType && fields.value === undefined) {
    throw fieldError('value', 'Send the value again when changing discount_type.', 'required');
  }
  const { value, ...rest } = fields;
  const changes: Partial<CouponInput> =
    value === undefined ? rest : { ...rest, value: parseValue(value, type, fields.currency ?? current.currency) };
  checkCoupon(changes, current);
  const values = changes.code ? { ...changes, code: changes.code.trim().toUpperCase() } : changes;
  const row = await repo.updateCoupon(db, id, values).catch(duplicateCode);
  if (!row) throw new NotFound();
  return row;
}

export async function getCoupon(db: Db, id: string): Promise<CouponRow> {
  const row = await repo.findCoupon(db, id);
  if (!row) throw new NotFound();
  return row;
}

export async function listCoupons(db: Db, page: PageRequest, filter: repo.CouponFilter = {}) {
  return repo.listCoupons(db, { limit: page.pageSize, offset: page.offset }, filter);
}

export async function deleteCoupon(db: Db, id: string): Promise<void> {
  if (!(await repo.deleteCoupon(db, id))) throw new NotFound();
}

const couponError = (message: string, code: string) => fieldError('coupon_code', message, code);

/** The coupon a checkout asked for, if it applies to this subtotal now; a 400 on `coupon_code` otherwise. */
export async function findApplicableCoupon(
  db: Db,
  code: string,
  context: { subtotal: number; currency: string; now: Date },
): Promise<CouponRow & CouponTerms> {
  const coupon = await repo.findCouponByCode(db, code);
  if (!coupon?.isActive) throw couponError('This coupon code is not valid.', 'coupon_invalid');
  if (coupon.validFrom && context.now < coupon.validFrom)
    throw couponError('This coupon is not valid yet.', 'coupon_not_started');
  if (coupon.validTo && context.now >= coupon.validTo) throw couponError('This coupon has expired.', 'coupon_expired');
  if (coupon.currency !== context.currency) throw couponError('This coupon does not apply to this currency.', 'coupon_invalid');
  if (coupon.usageLimit !== null && coupon.usedCount >= coupon.usageLimit) {
    throw couponError('This coupon has reached its usage limit.', 'coupon_exhausted');
  }
  if (context.subtotal < coupon.minimumSubtotal) {
    throw couponError('The order subtotal is below this coupon’s minimum.', 'coupon_minimum_not_met');
  }
  return coupon;
}

/**
 * Spends one use of the coupon for this order, inside the checkout transaction: the total limit through a
 * conditional UPDATE (which also locks the coupon row), then the per-user limit counted under that lock.
 */
export async function redeemCoupon(tx: Db, coupon: CouponRow, userId: string, orderId: string): Promise<void> {
  if (!(await repo.takeCouponUse(tx, coupon.id)))
    throw couponError('This coupon has reached its usage limit.', 'coupon_exhausted');
  if (coupon.perUserLimit !== null && (await repo.countUserRedemptions(tx, coupon.id, userId)) >= coupon.perUserLimit) {
    throw couponError('You have already used this coupon the maximum number of times.', 'coupon_exhausted');
  }
  await repo.insertRedemption(tx, { couponId: coupon.id, userId, orderId });
}

export { COUPON_ORDERINGS } from './coupons.repo.js';
