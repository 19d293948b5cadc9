// The one place money totals are computed, for the cart and for checkout alike. Pure functions on integer
// minor units: discount before tax, tax on the discounted merchandise, shipping flat with a free threshold.
import { applyRate } from '../../core/money.js';

export interface PricedLine {
  unitPrice: number;
  quantity: number;
}

export interface CouponTerms {
  discountType: 'percentage' | 'fixed';
  /** Basis points of a percent (1500 = 15%) for percentage; minor units for fixed. */
  value: number;
  maximumDiscount?: number | null;
}

export interface ShippingRule {
  flatRate: number;
  /** Merchandise total (after discount) at or above which shipping is free; 0 turns free shipping off. */
  freeThreshold: number;
}

export interface OrderTotals {
  totalItems: number;
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  total: number;
}

export const lineTotal = (line: PricedLine) => line.unitPrice * line.quantity;

export function cartTotals(lines: PricedLine[]): { totalItems: number; subtotal: number } {
  let totalItems = 0;
  let subtotal = 0;
  for (const line of lines) {
    totalItems += line.quantity;
    subtotal += lineTotal(line);
  }
  return { totalItems, subtotal };
}

/** Never more than the subtotal, and never more than the coupon's cap. */
export function couponDiscount(subtotal: number, coupon: CouponTerms): number {
  let discount = coupon.discountType === 'percentage' ? applyRate(subtotal, coupon.value) : coupon.value;
  if (coupon.maximumDiscount != null) discount = Math.min(discount, coupon.maximumDiscount);
  return Math.max(0, Math.min(discount, subtotal));
}

export function shippingCost(merchandise: number, rule: ShippingRule, totalItems: number): number {
  if (totalItems === 0) return 0;
  if (rule.freeThreshold > 0 && merchandise >= rule.freeThreshold) return 0;
  return rule.flatRate;
}

export function priceOrder(input: {
  lines: PricedLine[];
  coupon?: CouponTerms | null;
  taxRate: number;
  shipping: ShippingRule;
}): OrderTotals {
  const { totalItems, subtotal } = cartTotals(input.lines);
  const discount = input.coupon ? couponDiscount(subtotal, input.coupon) : 0;
  const merchandise = subtotal - discount;
  const tax = applyRate(merchandise, input.taxRate);
  const shipping = shippingCost(merchandise, input.shipping, totalItems);
  return { totalItems, subtotal, discount, tax, shipping, total: merchandise + tax + shipping };
}

/** Tax rate (basis points of a percent) for a destination country: its own rate, else the default. */
export function taxRateFor(country: string, rates: Readonly<Record<string, number>>, fallback: number): number {
  return rates[country.toUpperCase()] ?? fallback;
}
