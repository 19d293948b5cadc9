// CSV product import, part 1 (pure): the columns, and each row's cells checked and converted. Cross-row and
// database checks happen in products-import.service.ts.
import { ValidationFailed } from '../../core/errors.js';
import { parseMoney } from '../../core/money.js';

export const IMPORT_COLUMNS = [
  'product_slug',
  'product_name',
  'category_slug',
  'description',
  'is_active',
  'is_featured',
  'variant_sku',
  'variant_name',
  'price',
  'stock_quantity',
  'low_stock_threshold',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: ImportColumn[] = ['product_slug', 'variant_sku'];

export interface ImportRow {
  /** Line of the file where the row ends (the header is line 1). */
  line: number;
  cells: Partial<Record<ImportColumn, string>>;
}

export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** A row's values; undefined = the cell was empty (keep what is there, or the default for a new row). */
export interface ParsedRow {
  line: number;
  slug: string;
  sku: string;
  productName?: string;
  categorySlug?: string;
  description?: string;
  isActive?: boolean;
  isFeatured?: boolean;
  variantName?: string;
  /** Minor units. */
  price?: number;
  stock?: number;
  threshold?: number;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TRUE = new Set(['true', '1', 'yes', 'y']);
const FALSE = new Set(['false', '0', 'no', 'n']);
const MAX_COUNT = 1_000_000_000;

function text(value: string, field: string, max: number, errors: RowError[], line: number): string {
  if (value.length > max) errors.push({ row: line, field, message: `Ensure this field has no more than ${max} characters.` });
  return value;
}

function bool(value: string, field: string, errors: RowError[], line: number): boolean | undefined {
  const v = value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  errors.push({ row: line, field, message: 'Must be true or false.' });
  return undefined;
}

function count(value: string, field: string, errors: RowError[], line: number): number | undefined {
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_COUNT) {
    errors.push({ row: line, field, message: 'A whole number from 0 to 1000000000 is required.' });
    return undefined;
  }
  return Number(value);
}

function money(value: string, currency: string, errors: RowError[], line: number): number | undefined {
  try {
    const minor = parseMoney(value, currency, 'price');
    if (minor >= 0) return minor;
    errors.push({ row: line, field: 'price', message: 'Ensure this value is greater than or equal to 0.' });
  } catch (error) {
    errors.push({ row: line, field: 'price', message: error instanceof ValidationFailed ? error.message : 'Invalid amount.' });
  }
  return undefined;
}

/** Checks one row's cells on their own; pushes errors and returns the row when nothing was wrong. */
export function parseRow(row: ImportRow, currency: string, errors: RowError[]): ParsedRow | undefined {
  const before = errors.length;
  const line = row.line;
  const cell = (c: ImportColumn) => (row.cells[c] ?? '').trim();
  const given = (c: ImportColumn) => cell(c) !== '';
  const slug = cell('product_slug');
  const sku = cell('variant_sku');
  if (!slug) errors.push({ row: line, field: 'product_slug', message: 'This field is required.' });
  else if (!SLUG.test(slug) || slug.length > 200 || slug === 'categories') {
    errors.push({ row: line, field: 'product_slug', message: 'Use lowercase letters, digits and single hyphens (max 200).' });
  }
  if (!sku) errors.push({ row: line, field: 'variant_sku', message: 'This field is required.' });
  else text(sku, 'variant_sku', 64, errors, line);
  const parsed: ParsedRow = {
    line,
    slug,
    sku,
    productName: given('product_name') ? text(cell('product_name'), 'product_name', 200, errors, line) : undefined,
    categorySlug: given('category_slug') ? cell('category_slug') : undefined,
    description: given('description')
      ? text((row.cells.description ?? '').trim(), 'description', 20000, errors, line)
      : undefined,
    isActive: given('is_active') ? bool(cell('is_active'), 'is_active', errors, line) : undefined,
    isFeatured: given('is_featured') ? bool(cell('is_featured'), 'is_featured', errors, line) : undefined,
    variantName: given('variant_name') ? text(cell('variant_name'), 'variant_name', 200, errors, line) : undefined,
    price: given('price') ? money(cell('price'), currency, errors, line) : undefined,
    stock: given('stock_quantity') ? count(cell('stock_quantity'), 'stock_quantity', errors, line) : undefined,
    threshold: given('low_stock_threshold') ? count(cell('low_stock_threshold'), 'low_stock_threshold', errors, line) : undefined,
  };
  return errors.length === before ? parsed : undefined;
}

const PRODUCT_FIELDS = ['productName', 'categorySlug', 'description', 'isActive', 'isFeatured'] as const;
const FIELD_COLUMN: Record<(typeof PRODUCT_FIELDS)[number], ImportColumn> = {
  productName: 'product_name',
  categorySlug: 'category_slug',
  description: 'description',
  isActive: 'is_active',
  isFeatured: 'is_featured',
};

export interface ProductPlan {
  slug: string;
  /** Product-level values from the file (first non-empty of each), and the first row's price. */
  fields: Pick<ParsedRow, (typeof PRODUCT_FIELDS)[number]>;
  price?: number;
  rows: ParsedRow[];
}

/**
 * Groups valid rows by product. Product columns repeated on several rows must agree; a SKU may appear once.
 * Conflicting rows get errors and are dropped.
 */
export function groupRows(rows: ParsedRow[], errors: RowError[]): Map<string, ProductPlan> {
  const plans = new Map<string, ProductPlan>();
  const skus = new Map<string, number>();
  for (const row of rows) {
    const seen = skus.get(row.sku.toLowerCase());
    if (seen !== undefined) {
      errors.push({ row: row.line, field: 'variant_sku', message: `SKU "${row.sku}" is already on line ${seen}.` });
      continue;
    }
    const plan = plans.get(row.slug) ?? { slug: row.slug, fields: {}, rows: [] };
    const conflict = PRODUCT_FIELDS.find(
      (f) => row[f] !== undefined && plan.fields[f] !== undefined && plan.fields[f] !== row[f],
    );
    if (conflict) {
      errors.push({ row: row.line, field: FIELD_COLUMN[conflict], message: 'Differs from an earlier row of the same product.' });
      continue;
    }
    skus.set(row.sku.toLowerCase(), row.line);
    for (const f of PRODUCT_FIELDS) if (row[f] !== undefined) (plan.fields as Record<string, unknown>)[f] = row[f];
    if (plan.price === undefined && plan.rows.length === 0) plan.price = row.price;
    plan.rows.push(row);
    plans.set(row.slug, plan);
  }
  return plans;
}
