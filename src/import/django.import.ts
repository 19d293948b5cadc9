// Imports a Django `manage.py dumpdata` export (a JSON list of {model, pk, fields}) into our tables.
// This is a deliberate cross-module tool (see src/modules/README.md): it writes history as it was (closed
// orders, captured payments, Django password hashes), which no module's service may do by design.
// Every row gets the UUIDv5 of `model:pk` and is upserted on it, so running the same export again changes
// nothing; a row that cannot be mapped or written is reported with its model, pk and reason, never dropped.
import { getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Db } from '../core/db.js';
import { users } from '../modules/accounts/accounts.tables.js';
import { products, reviews } from '../modules/catalog/catalog.tables.js';
import { type DumpRow, Fields, importId, MapError } from './django.fields.js';
import { IGNORED_LABELS, MAPPINGS, type MapEnv, type ModelMapping, type Output } from './django.mapping.js';

export type ProblemKind = 'bad_row' | 'unknown_model' | 'bad_value' | 'missing_fk' | 'write_failed';

export interface ImportProblem {
  model: string;
  pk: unknown;
  kind: ProblemKind;
  field?: string;
  message: string;
}

export interface ModelCount {
  model: string;
  rows: number;
  imported: number;
  skipped: number;
}

export interface ImportReport {
  dryRun: boolean;
  models: ModelCount[];
  /** Django internals in the export (contenttypes, permissions, sessions...): counted, not imported. */
  ignored: Record<string, number>;
  problems: ImportProblem[];
}

export interface ImportOptions {
  dryRun?: boolean;
  currency: string;
  mediaUrl: string;
  /** Called with one line per model as it finishes. */
  progress?: (line: string) => void;
}

const key = (pk: unknown) => String(pk);

function isDumpRow(value: unknown): value is DumpRow {
  if (!value || typeof value !== 'object') return false;
  const row = value as Record<string, unknown>;
  return typeof row.model === 'string' && row.pk !== undefined && !!row.fields && typeof row.fields === 'object';
}

/** Rows per canonical label, plus what cannot be placed. */
function groupRows(dump: unknown[], report: ImportReport) {
  const byLabel = new Map<string, ModelMapping>();
  for (const m of MAPPINGS) for (const label of [m.label, ...m.aliases]) byLabel.set(label, m);
  const groups = new Map<string, Map<string, DumpRow>>(MAPPINGS.map((m) => [m.label, new Map()]));
  dump.forEach((row, index) => {
    if (!isDumpRow(row)) {
      report.problems.push({ model: '?', pk: index, kind: 'bad_row', message: `element ${index} is not {model, pk, fields}` });
      return;
    }
    const label = row.model.toLowerCase();
    const mapping = byLabel.get(label);
    if (mapping) groups.get(mapping.label)!.set(key(row.pk), row);
    else if (IGNORED_LABELS.has(label)) report.ignored[label] = (report.ignored[label] ?? 0) + 1;
    else
      report.problems.push({ model: row.model, pk: row.pk, kind: 'unknown_model', message: `no mapping for model ${row.model}` });
  });
  return groups;
}

/** Parents before children, for self-referencing models (categories); a cycle keeps the export's order. */
function parentsFirst(rows: Map<string, DumpRow>): DumpRow[] {
  const depth = (row: DumpRow) => {
    let d = 0;
    const seen = new Set<string>();
    for (let parent = row.fields.parent; parent != null && d < 1000; d++) {
      if (seen.has(key(parent))) break;
      seen.add(key(parent));
      parent = rows.get(key(parent))?.fields.parent;
    }
    return d;
  };
  return [...rows.values()]
    .map((row) => ({ row, d: depth(row) }))
    .sort((a, b) => a.d - b.d)
    .map((x) => x.row);
}

async function upsert(db: Db, label: string, pk: unknown, output: Output): Promise<void> {
  const id = (output.values.id as string | undefined) ?? importId(label, pk);
  const set: Record<string, unknown> = Object.fromEntries(
    Object.entries(output.values).filter(([name, v]) => v !== undefined && name !== 'id'),
  );
  // a user who already logged in here has an argon2id hash: a re-run must not put the old Django hash back
  if (output.table === users) {
    set.passwordHash = sql`case when ${users.passwordHash} like '$argon2id$%' then ${users.passwordHash} else excluded.password_hash end`;
  }
  const target = getTableColumns(output.table).id!;
  await db
    .insert(output.table)
    .values({ ...output.values, id })
    .onConflictDoUpdate({ target, set });
}

/** Reviews are written raw, so the product's kept aggregates are recomputed once, as the catalog does. */
async function refreshRatings(db: Db, productIds: string[]) {
  if (!productIds.length) return;
  await db
    .update(products)
    .set({
      averageRating: sql`(select coalesce(round(avg(rating), 2), 0) from ${reviews} where product_id = ${products.id})`,
      reviewCount: sql`(select count(*) from ${reviews} where product_id = ${products.id})::int`,
    })
    .where(inArray(products.id, productIds));
}

export async function importDjangoDump(db: Db, dump: unknown, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { dryRun: !!options.dryRun, models: [], ignored: {}, problems: [] };
  if (!Array.isArray(dump)) {
    report.problems.push({ model: '?', pk: null, kind: 'bad_row', message: 'the export is not a JSON list' });
    return report;
  }
  const groups = groupRows(dump, report);
  const known = new Map<string, Set<string>>(MAPPINGS.map((m) => [m.label, new Set()]));
  const referencedCache = new Map<string, Set<string>>();
  const env: MapEnv = {
    currency: options.currency,
    mediaUrl: options.mediaUrl,
    find: (label, pk) => (pk == null ? undefined : groups.get(label)?.get(key(pk))),
    referenced: (label, field, pk) => {
      const cacheKey = `${label}.${field}`;
      let set = referencedCache.get(cacheKey);
      if (!set) {
        set = new Set([...(groups.get(label)?.values() ?? [])].map((r) => key(r.fields[field])));
        referencedCache.set(cacheKey, set);
      }
      return set.has(key(pk));
    },
  };
  const lookup = (label: string, pk: unknown) => known.get(label)?.has(key(pk)) ?? false;
  const reviewedProducts = new Set<string>();

  for (const mapping of MAPPINGS) {
    const rows = parentsFirst(groups.get(mapping.label)!);
    const count: ModelCount = { model: mapping.label, rows: rows.length, imported: 0, skipped: 0 };
    for (const row of rows) {
      const problem = await importRow(db, mapping, row, env, lookup, !!options.dryRun);
      if (problem) {
        report.problems.push(problem);
        count.skipped++;
        continue;
      }
      known.get(mapping.label)!.add(key(row.pk));
      count.imported++;
      if (mapping.label === 'products.review') reviewedProducts.add(importId('products.product', row.fields.product));
    }
    report.models.push(count);
    const verb = options.dryRun ? 'would import' : 'imported';
    options.progress?.(`${mapping.label}: ${count.rows} rows, ${verb} ${count.imported}, skipped ${count.skipped}`);
  }
  if (!options.dryRun) await refreshRatings(db, [...reviewedProducts]);
  return report;
}

async function importRow(
  db: Db,
  mapping: ModelMapping,
  row: DumpRow,
  env: MapEnv,
  lookup: (label: string, pk: unknown) => boolean,
  dryRun: boolean,
): Promise<ImportProblem | undefined> {
  let outputs: Output[];
  try {
    outputs = mapping.map(new Fields(row, lookup), env);
  } catch (error) {
    if (!(error instanceof MapError)) throw error;
    return { model: row.model, pk: row.pk, kind: error.kind, field: error.field, message: error.message };
  }
  if (dryRun) return undefined;
  try {
    // a product and its default variant land together or not at all
    await db.transaction(async (tx) => {
      for (const output of outputs) await upsert(tx, mapping.label, row.pk, output);
    });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { model: row.model, pk: row.pk, kind: 'write_failed', message: cause ?? (error as Error).message };
  }
}
