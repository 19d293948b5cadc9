import { describe, expect, it } from 'vitest';
import { cartTotals, couponDiscount, priceOrder, shippingCost, taxRateFor } from './pricing.service.js';

const shipping = { flatRate: 500, freeThreshold: 5000 };

describe('pricing', () => {
  it('sums quantities and line totals in integer cents', () => {
    expect(
      cartTotals([
        { unitPrice: 1999, quantity: 3 },
        { unitPrice: 1, quantity: 1 },
      ]),
    ).toEqual({ totalItems: 4, subtotal: 5998 });
  });

  it('rounds a percentage discount half up to whole cents', () => {
    expect(couponDiscount(1005, { discountType: 'percentage', value: 1000 })).toBe(101); // 100.5 -> 101
    expect(couponDiscount(999, { discountType: 'percentage', value: 1250 })).toBe(125); // 124.875 -> 125
  });

  it('caps a discount at the subtotal and at the coupon maximum', () => {
    expect(couponDiscount(700, { discountType: 'fixed', value: 1000 })).toBe(700);
    expect(couponDiscount(100000, { discountType: 'percentage', value: 5000, maximumDiscount: 2500 })).toBe(2500);
  });

  it('charges flat shipping below the threshold and none at or above it', () => {
    expect(shippingCost(4999, shipping, 1)).toBe(500);
    expect(shippingCost(5000, shipping, 1)).toBe(0);
  });

  it('treats a free-shipping threshold of 0 as no free shipping', () => {
    expect(shippingCost(100000, { flatRate: 500, freeThreshold: 0 }, 1)).toBe(500);
  });

  it('applies the discount before tax and before the shipping threshold', () => {
    const totals = priceOrder({
      lines: [{ unitPrice: 2999, quantity: 2 }],
      coupon: { discountType: 'fixed', value: 1000 },
      taxRate: 825,
      shipping,
    });
    // 5998 - 1000 = 4998 (< 5000, so shipping 500); tax 8.25% of 4998 = 412.335 -> 412
    expect(totals).toEqual({ totalItems: 2, subtotal: 5998, discount: 1000, tax: 412, shipping: 500, total: 5910 });
  });

  it('uses the destination country rate when there is one', () => {
    expect(taxRateFor('de', { DE: 1900 }, 825)).toBe(1900);
    expect(taxRateFor('US', { DE: 1900 }, 825)).toBe(825);
  });
});
