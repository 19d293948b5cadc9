// CSV product import, part 2: database checks and the write. Products are keyed by slug, variants by SKU, so
// a re-import updates instead of duplicating. All or nothing: with any row error a real run writes nothing
// (400 import_invalid with the report); a dry run only reports. The write is one transaction of batched
// statements (multi-row INSERTs, UPDATE ... FROM VALUES), a handful of statements per 500 rows.
import { randomBytes } from 'node:crypto';
import { inArray, type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { AppError } from '../../core/errors.js';
import { invalidateCatalog } from './catalog.cache.js';
import { writeCatalog } from './catalog.service.js';
import { categories, products, productVariants } from './catalog.tables.js';
import { groupRows, type ImportRow, type ParsedRow, type ProductPlan, parseRow, type RowError } from './products-import.rows.js';

export { IMPORT_COLUMNS, type ImportRow, REQUIRED_COLUMNS } from './products-import.rows.js';

const BATCH = 500;
const REPORT_CAP = 1000;

type Action = 'create' | 'update';
interface RowResult {
  row: number;
  product_slug: string;
  variant_sku: string;
  product_action: Action;
  variant_action: Action;
}

export interface ImportReport {
  dry_run: boolean;
  applied: boolean;
  rows: number;
  valid_rows: number;
  error_count: number;
  errors: RowError[];
  products: { created: number; updated: number };
  variants: { created: number; updated: number };
  results: RowResult[];
}

interface Lookups {
  products: Map<string, { id: string; price: number }>;
  variants: Map<string, { id: string; productSlug: string }>;
  categories: Map<string, string>;
}

async function lookUp(db: Db, plans: Map<string, ProductPlan>): Promise<Lookups> {
  const slugs = [...plans.keys()];
  const skus = [...plans.values()].flatMap((p) => p.rows.map((r) => r.sku));
  const categorySlugs = [...new Set([...plans.values()].flatMap((p) => p.rows.flatMap((r) => r.categorySlug ?? [])))];
  const [productRows, variantRows, categoryRows] = await Promise.all([
    slugs.length
      ? db
          .select({ id: products.id, slug: products.slug, price: products.price })
          .from(products)
          .where(inArray(products.slug, slugs))
      : [],
    skus.length
      ? db
          .select({ id: productVariants.id, sku: productVariants.sku, productSlug: products.slug })
          .from(productVariants)
          .innerJoin(products, sql`${products.id} = ${productVariants.productId}`)
          .where(inArray(productVariants.sku, skus))
      : [],
    categorySlugs.length
      ? db.select({ id: categories.id, slug: categories.slug }).from(categories).where(inArray(categories.slug, categorySlugs))
      : [],
  ]);
  return {
    products: new Map(productRows.map((p) => [p.slug, { id: p.id, price: p.price }])),
    variants: new Map(variantRows.map((v) => [v.sku, { id: v.id, productSlug: v.productSlug }])),
    categories: new Map(categoryRows.map((c) => [c.slug, c.id])),
  };
}

/** Database-dependent checks of one product's rows; returns the rows that stay valid. */
function checkPlan(plan: ProductPlan, found: Lookups, errors: RowError[]): ParsedRow[] {
  const first = plan.rows[0] as ParsedRow;
  if (!found.products.has(plan.slug)) {
    const before = errors.length;
    if (plan.fields.productName === undefined) {
      errors.push({ row: first.line, field: 'product_name', message: 'Required for a new product.' });
    }
    if (plan.price === undefined) {
      errors.push({ row: first.line, field: 'price', message: 'Required on the first row of a new product.' });
    }
    if (errors.length > before) return [];
  }
  return plan.rows.filter((row) => {
    if (row.categorySlug !== undefined && !found.categories.has(row.categorySlug)) {
      errors.push({ row: row.line, field: 'category_slug', message: `Category "${row.categorySlug}" does not exist.` });
      return false;
    }
    const variant = found.variants.get(row.sku);
    if (variant && variant.productSlug !== plan.slug) {
      errors.push({
        row: row.line,
        field: 'variant_sku',
        message: `SKU "${row.sku}" belongs to product "${variant.productSlug}".`,
      });
      return false;
    }
    return true;
  });
}

/** Validates every row (cells, cross-row, database) and, unless a dry run, writes them all in one transaction. */
export async function importProducts(ctx: AppContext, input: ImportRow[], options: { dryRun: boolean }): Promise<ImportReport> {
  const errors: RowError[] = [];
  const parsed = input.flatMap((row) => parseRow(row, ctx.config.currency, errors) ?? []);
  const plans = groupRows(parsed, errors);
  const found = await lookUp(ctx.db, plans);
  const valid = new Map<string, ProductPlan>();
  for (const plan of plans.values()) {
    const rows = checkPlan(plan, found, errors);
    if (rows.length) valid.set(plan.slug, { ...plan, rows });
  }
  const results = [...valid.values()].flatMap((plan) =>
    plan.rows.map((row) => ({
      row: row.line,
      product_slug: plan.slug,
      variant_sku: row.sku,
      product_action: (found.products.has(plan.slug) ? 'update' : 'create') as Action,
      variant_action: (found.variants.has(row.sku) ? 'update' : 'create') as Action,
    })),
  );
  errors.sort((a, b) => a.row - b.row);
  const report: ImportReport = {
    dry_run: options.dryRun,
    applied: false,
    rows: input.length,
    valid_rows: results.length,
    error_count: errors.length,
    errors: errors.slice(0, REPORT_CAP),
    products: {
      created: [...valid.keys()].filter((s) => !found.products.has(s)).length,
      updated: [...valid.keys()].filter((s) => found.products.has(s)).length,
    },
    variants: {
      created: results.filter((r) => r.variant_action === 'create').length,
      updated: results.filter((r) => r.variant_action === 'update').length,
    },
    results: results.slice(0, REPORT_CAP),
  };
  if (options.dryRun) return report;
  if (errors.length) {
    // the problem's `errors` is the usual field map; the per-row errors travel as `row_errors`
    const { errors: rowErrors, ...rest } = report;
    const detail = `${errors.length} error(s) in the file; nothing was imported.`;
    throw new AppError(400, 'import_invalid', 'Bad Request', detail, {
      errors: { file: [detail] },
      extra: { ...rest, row_errors: rowErrors },
    });
  }
  await writeCatalog(ctx, (tx) => applyImport(tx, ctx.config.currency, [...valid.values()], found));
  await invalidateCatalog(ctx, { slugs: [...valid.keys()] });
  return { ...report, applied: true };
}

function chunks<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Product SKUs are unique too: new products get their slug upper-cased, made unique when already taken. */
async function productSkus(tx: Db, slugs: string[]): Promise<Map<string, string>> {
  const wanted = new Map(slugs.map((s) => [s, s.toUpperCase().slice(0, 64)]));
  const taken = new Set<string>();
  for (const batch of chunks([...wanted.values()])) {
    const rows = await tx.select({ sku: products.sku }).from(products).where(inArray(products.sku, batch));
    for (const r of rows) taken.add(r.sku);
  }
  for (const [slug, sku] of wanted) {
    if (taken.has(sku)) wanted.set(slug, `${sku.slice(0, 57)}-${randomBytes(3).toString('hex').toUpperCase()}`);
  }
  return wanted;
}

async function applyImport(tx: Db, currency: string, plans: ProductPlan[], found: Lookups): Promise<void> {
  const fresh = plans.filter((p) => !found.products.has(p.slug));
  const skus = await productSkus(
    tx,
    fresh.map((p) => p.slug),
  );
  const ids = new Map([...found.products].map(([slug, p]) => [slug, p.id]));
  for (const batch of chunks(fresh)) {
    const inserted = await tx
      .insert(products)
      .values(
        batch.map((p) => ({
          name: p.fields.productName as string,
          slug: p.slug,
          sku: skus.get(p.slug) as string,
          description: p.fields.description ?? '',
          price: p.price as number,
          currency,
          categoryId: p.fields.categorySlug ? found.categories.get(p.fields.categorySlug) : null,
          isActive: p.fields.isActive ?? true,
          isFeatured: p.fields.isFeatured ?? false,
        })),
      )
      .returning({ id: products.id, slug: products.slug });
    for (const row of inserted) ids.set(row.slug, row.id);
  }
  await updateProducts(
    tx,
    plans.filter((p) => found.products.has(p.slug)),
    found,
  );
  await writeVariants(tx, plans, found, ids);
}

async function updateProducts(tx: Db, plans: ProductPlan[], found: Lookups): Promise<void> {
  for (const batch of chunks(plans)) {
    const values = sql.join(
      batch.map((p) => {
        const f = p.fields;
        const categoryId = f.categorySlug ? (found.categories.get(f.categorySlug) ?? null) : null;
        return sql`(${found.products.get(p.slug)?.id}::uuid, ${f.productName ?? null}::text, ${f.description ?? null}::text,
          ${categoryId}::uuid, ${f.isActive ?? null}::boolean, ${f.isFeatured ?? null}::boolean, ${p.price ?? null}::int)`;
      }),
      sql`, `,
    );
    await tx.execute(sql`update products p set
        name = coalesce(v.name, p.name), description = coalesce(v.description, p.description),
        category_id = coalesce(v.category_id, p.category_id), is_active = coalesce(v.is_active, p.is_active),
        is_featured = coalesce(v.is_featured, p.is_featured), price = coalesce(v.price, p.price), updated_at = now()
      from (values ${values}) as v(id, name, description, category_id, is_active, is_featured, price)
      where p.id = v.id`);
  }
}

/** A variant keeps its own price only when it differs from its product's (new) price. */
const override = (row: ParsedRow, productPrice: number) =>
  row.price === undefined || row.price === productPrice ? null : row.price;

async function writeVariants(tx: Db, plans: ProductPlan[], found: Lookups, ids: Map<string, string>): Promise<void> {
  const creates: (typeof productVariants.$inferInsert)[] = [];
  const updates: SQL[] = [];
  for (const plan of plans) {
    const productPrice = plan.price ?? (found.products.get(plan.slug)?.price as number);
    plan.rows.forEach((row, position) => {
      const existing = found.variants.get(row.sku);
      if (!existing) {
        creates.push({
          productId: ids.get(plan.slug) as string,
          sku: row.sku,
          name: row.variantName ?? (plan.rows.length === 1 ? 'Default' : row.sku),
          price: override(row, productPrice),
          stockQuantity: row.stock ?? 0,
          lowStockThreshold: row.threshold ?? 5,
          position,
        });
        return;
      }
      updates.push(sql`(${existing.id}::uuid, ${row.variantName ?? null}::text, ${row.price !== undefined}::boolean,
        ${override(row, productPrice)}::int, ${row.stock ?? null}::int, ${row.threshold ?? null}::int)`);
    });
  }
  for (const batch of chunks(creates)) await tx.insert(productVariants).values(batch);
  for (const batch of chunks(updates)) {
    await tx.execute(sql`update product_variants pv set
        name = coalesce(v.name, pv.name), price = case when v.set_price then v.price else pv.price end,
        stock_quantity = coalesce(v.stock, pv.stock_quantity),
        low_stock_threshold = coalesce(v.threshold, pv.low_stock_threshold), updated_at = now()
      from (values ${sql.join(batch, sql`, `)}) as v(id, name, set_price, price, stock, threshold)
      where pv.id = v.id`);
  }
}
