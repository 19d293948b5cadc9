// Reading one row of a Django `dumpdata` export: typed field access with the aliases a DRF shop's models use,
// and deterministic ids. A value that cannot be read throws MapError, which the importer reports.
import { createHash } from 'node:crypto';
import { minorDigits } from '../core/money.js';

export interface DumpRow {
  model: string;
  pk: unknown;
  fields: Record<string, unknown>;
}

export class MapError extends Error {
  constructor(
    readonly kind: 'bad_value' | 'missing_fk',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

// A fixed namespace, so `model:pk` always names the same UUID (a re-run upserts the same rows).
const NAMESPACE = Buffer.from('6f1c2a4e5b7d4c1e9a3f8b2d0e4c6a18', 'hex');

/** RFC 4122 version-5 UUID of `name` in Emporium's import namespace. */
export function uuidV5(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The new id of the Django row `label:pk` (label = the canonical model label of the mapping). */
export const importId = (label: string, pk: unknown) => uuidV5(`${label}:${String(pk)}`);

/** Looks up whether a referenced row was imported (or, in a dry run, would be). */
export type RefLookup = (label: string, pk: unknown) => boolean;

export class Fields {
  constructor(
    readonly row: DumpRow,
    private readonly known: RefLookup,
  ) {}

  /** The first of `names` present in the row (Django field names differ between shops: we accept aliases). */
  raw(names: string | string[]): { name: string; value: unknown } {
    const list = Array.isArray(names) ? names : [names];
    for (const name of list) if (name in this.row.fields) return { name, value: this.row.fields[name] };
    return { name: list[0]!, value: undefined };
  }

  has(names: string | string[]): boolean {
    return this.raw(names).value !== undefined;
  }

  str(names: string | string[], fallback?: string): string {
    const { name, value } = this.raw(names);
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw new MapError('bad_value', name, `${name} is required`);
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new MapError('bad_value', name, `${name} is not text`);
    return String(value);
  }

  optionalStr(names: string | string[]): string | null {
    const { value } = this.raw(names);
    return value === undefined || value === null || value === '' ? null : this.str(names);
  }

  bool(names: string | string[], fallback: boolean): boolean {
    const { name, value } = this.raw(names);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw new MapError('bad_value', name, `${name} is not a boolean`);
    return value;
  }

  int(names: string | string[], fallback?: number): number {
    const { name, value } = this.raw(names);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new MapError('bad_value', name, `${name} is not an integer`);
    return n;
  }

  /** Django DecimalField ("19.99") -> integer minor units; more decimals than the currency has is refused. */
  money(names: string | string[], currency: string, fallback?: number): number {
    const { name, value } = this.raw(names);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    const text = typeof value === 'number' ? String(value) : value;
    const match = typeof text === 'string' ? /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim()) : null;
    if (!match) throw new MapError('bad_value', name, `${name} is not a non-negative decimal: ${JSON.stringify(value)}`);
    const digits = minorDigits(currency);
    const frac = (match[2] ?? '').replace(/0+$/, '');
    if (frac.length > digits) throw new MapError('bad_value', name, `${name} has more than ${digits} decimals`);
    const minor = Number(match[1]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
    if (minor > 2_147_483_647) throw new MapError('bad_value', name, `${name} is too large`);
    return minor;
  }

  optionalMoney(names: string | string[], currency: string): number | null {
    const { value } = this.raw(names);
    return value === undefined || value === null || value === '' ? null : this.money(names, currency);
  }

  /** Django DateTimeField/DateField (ISO 8601) -> Date; undefined when absent. */
  date(names: string | string[]): Date | undefined {
    const { name, value } = this.raw(names);
    if (value === undefined || value === null || value === '') return undefined;
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) throw new MapError('bad_value', name, `${name} is not a date`);
    return date;
  }

  /** A foreign key: the new id of the referenced row, which must be in the export (imported before this one). */
  ref(names: string | string[], label: string): string {
    const { name, value } = this.raw(names);
    if (value === undefined || value === null) throw new MapError('bad_value', name, `${name} is required`);
    return this.resolve(name, value, label);
  }

  optionalRef(names: string | string[], label: string): string | null {
    const { name, value } = this.raw(names);
    return value === undefined || value === null ? null : this.resolve(name, value, label);
  }

  /** A key that is not a field of its own (one element of a many-to-many list). */
  resolve(name: string, value: unknown, label: string): string {
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw new MapError('bad_value', name, `${name} is not a primary key (export without --natural-foreign)`);
    }
    if (!this.known(label, value))
      throw new MapError('missing_fk', name, `${name} -> ${label} ${value} is not in the export or was skipped`);
    return importId(label, value);
  }
}

/** Timestamps of a row: the export's own, so a re-run writes the same values (never "now"). */
export function stamps(f: Fields, created: string | string[] = 'created_at') {
  const createdAt = f.date(created);
  const updatedAt = f.date('updated_at') ?? createdAt;
  return { createdAt, updatedAt };
}

/** A Django choice field, with the old system's names for the same states mapped onto ours. */
export function choice(
  f: Fields,
  names: string | string[],
  allowed: readonly string[],
  aliases: Record<string, string>,
  fallback?: string,
) {
  const raw = f.str(names, fallback).toLowerCase();
  const value = aliases[raw] ?? raw;
  if (!allowed.includes(value)) throw new MapError('bad_value', f.raw(names).name, `unknown value "${raw}"`);
  return value;
}

/** An address as our tables hold it, from an address row's fields or an order's JSON address. */
export function addressFrom(source: Record<string, unknown>) {
  const text = (...keys: string[]) => String(keys.map((k) => source[k]).find((v) => v != null) ?? '');
  return {
    fullName: text('full_name', 'name'),
    phone: text('phone', 'phone_number'),
    line1: text('address_line1', 'address_line_1', 'line1', 'street_address'),
    line2: text('address_line2', 'address_line_2', 'line2', 'apartment'),
    city: text('city'),
    state: text('state', 'province'),
    postalCode: text('postal_code', 'zip_code'),
    country: text('country').toUpperCase(),
  };
}
