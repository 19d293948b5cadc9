// Money is integer minor units plus an ISO 4217 currency code. Decimal strings exist only at the API edge.
import { fieldError } from './errors.js';

const digitsCache = new Map<string, number>();

/** Number of minor digits of a currency: 2 for USD, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** 1999, 'USD' -> "19.99"; -5, 'USD' -> "-0.05". */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const abs = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = digits ? abs.slice(0, -digits) : abs;
  const frac = digits ? `.${abs.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** Amounts are stored in PostgreSQL `integer` columns: larger ones are refused at the edge, not by a 500. */
export const MAX_MINOR_UNITS = 2_147_483_647;

/**
 * "19.99", 'USD' -> 1999. Accepts numbers too (DRF clients sometimes send them), but never more decimals than
 * the currency has. Throws a field-level ValidationFailed naming `field`.
 */
export function parseMoney(value: string | number, currency: string, field = 'amount'): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const digits = minorDigits(currency);
  const match = /^(-?)(\d{1,12})(?:\.(\d+))?$/.exec(text);
  if (!match) throw fieldError(field, 'A valid number is required.');
  const frac = match[3] ?? '';
  if (frac.length > digits) {
    throw fieldError(field, `Ensure that there are no more than ${digits} decimal places.`, 'max_decimal_places');
  }
  const minor = Number(match[2]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  if (minor > MAX_MINOR_UNITS) {
    throw fieldError(field, `Ensure this value is less than or equal to ${formatMoney(MAX_MINOR_UNITS, currency)}.`, 'max_value');
  }
  return match[1] ? -minor : minor;
}

/** Rounds a rate applied to an amount half-up to whole minor units. `basisPoints` is 1/10000 (825 = 8.25%). */
export function applyRate(minor: number, basisPoints: number): number {
  return Math.round((minor * basisPoints) / 10000);
}
