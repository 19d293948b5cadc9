// `npm run import -- <file> [--dry-run]`: loads a Django `manage.py dumpdata` JSON export (see docs/migration.md).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { type ImportProblem, importDjangoDump } from '../import/django.import.js';
import { invalidateCatalog } from '../modules/catalog/catalog.cache.js';
import { withCliContext } from './context.js';

const usage = `Usage: npm run import -- <export.json> [--dry-run]

Imports a Django "manage.py dumpdata" export of the old system (users with their password hashes, addresses,
categories, products, variants, images, reviews, wishlists, orders with items and status history, payments,
notifications) into DATABASE_URL (or the embedded database). Migrates first. Re-running the same export
updates the same rows. --dry-run maps and checks every row and writes nothing. Exits 1 when rows were skipped.
Models and fields: docs/migration.md.`;

let parsed: { values: { 'dry-run': boolean; help: boolean }; positionals: string[] };
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  }) as typeof parsed;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(usage);
  process.exit(0);
}
const [file, ...extra] = parsed.positionals;
if (!file || extra.length) {
  console.error(usage);
  process.exit(2);
}
let dump: unknown;
try {
  dump = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`cannot read ${file}: ${(error as Error).message}`);
  process.exit(2);
}

function printProblems(problems: ImportProblem[]) {
  const shown = problems.slice(0, 200);
  for (const p of shown) console.log(`  ${p.kind} ${p.model} pk=${String(p.pk)}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
  if (problems.length > shown.length) console.log(`  ... and ${problems.length - shown.length} more`);
}

let failed = false;
await withCliContext(async (ctx) => {
  await ctx.database.migrate();
  const dryRun = parsed.values['dry-run'];
  console.log(`${dryRun ? 'dry run: checking' : 'importing'} ${file} (${ctx.database.kind})`);
  const report = await importDjangoDump(ctx.db, dump, {
    dryRun,
    currency: ctx.config.currency,
    mediaUrl: ctx.config.mediaUrl,
    progress: (line) => console.log(line),
  });
  for (const [model, n] of Object.entries(report.ignored))
    console.log(`${model}: ${n} rows, not carried over (Django internals)`);
  if (report.problems.length) {
    console.log(`${report.problems.length} rows could not be ${dryRun ? 'mapped' : 'imported'}:`);
    printProblems(report.problems);
    failed = true;
  }
  // cached catalog pages (Redis) predate the import: bumping the category version retires lists and details
  if (!dryRun) await invalidateCatalog(ctx, { categories: true });
});
process.exit(failed ? 1 : 0);
