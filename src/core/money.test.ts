import { describe, expect, it } from 'vitest';
import { ValidationFailed } from './errors.js';
import { applyRate, formatMoney, minorDigits, parseMoney } from './money.js';

describe('money', () => {
  it('knows the minor digits of a currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });

  it('formats minor units as decimal strings with the currency digits', () => {
    expect(formatMoney(1999, 'USD')).toBe('19.99');
    expect(formatMoney(5, 'USD')).toBe('0.05');
    expect(formatMoney(0, 'EUR')).toBe('0.00');
    expect(formatMoney(-250, 'USD')).toBe('-2.50');
    expect(formatMoney(1500, 'JPY')).toBe('1500');
    expect(formatMoney(1234, 'KWD')).toBe('1.234');
  });

  it('parses decimal strings and numbers into minor units without float error', () => {
    expect(parseMoney('19.99', 'USD')).toBe(1999);
    expect(parseMoney('0.1', 'USD')).toBe(10);
    expect(parseMoney(0.29, 'USD')).toBe(29);
    expect(parseMoney('100', 'JPY')).toBe(100);
    expect(parseMoney('1.005', 'KWD')).toBe(1005);
  });

  it('refuses more decimals than the currency has, naming the field', () => {
    try {
      parseMoney('1.999', 'USD', 'price');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).errors).toEqual({ price: ['Ensure that there are no more than 2 decimal places.'] });
    }
  });

  it('refuses text that is not a number', () => {
    expect(() => parseMoney('abc', 'USD')).toThrow(ValidationFailed);
    expect(() => parseMoney('1e3', 'USD')).toThrow(ValidationFailed);
  });

  it('applies a rate in basis points rounding half up', () => {
    expect(applyRate(1000, 825)).toBe(83); // 8.25% of 10.00 = 0.825 -> 0.83
    expect(applyRate(1999, 1000)).toBe(200); // 10% of 19.99 = 1.999 -> 2.00
    expect(applyRate(0, 2000)).toBe(0);
  });
});
