// `npm run import -- <file> [--dry-run]`: loads a Django `manage.py dumpdata` JSON export (see docs/migration.md).
import fs from 'node:fs';
import type { ImportProblem } from '../import/django.import.js';
import { type CliIo, complain, parseCliArgs, runMain, say } from './io.js';

const usage = `Usage: npm run import -- <export.json> [--dry-run]

Imports a Django "manage.py dumpdata" export of the old system (users with their password hashes, addresses,
categories, products, variants, images, reviews, wishlists, orders with items and status history, payments,
notifications) into DATABASE_URL (or the embedded database). Migrates first. Re-running the same export
updates the same rows. --dry-run maps and checks every row and writes nothing. Exits 1 when rows were skipped.
Models and fields: docs/migration.md.`;

function printProblems(io: CliIo, problems: ImportProblem[]) {
  const shown = problems.slice(0, 200);
  for (const p of shown) say(io, `  ${p.kind} ${p.model} pk=${String(p.pk)}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
  if (problems.length > shown.length) say(io, `  ... and ${problems.length - shown.length} more`);
}

export async function main(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(
    io,
    {
      args,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length) {
    complain(io, usage);
    return 2;
  }
  let dump: unknown;
  try {
    dump = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    complain(io, `cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const [{ importDjangoDump }, { invalidateCatalog }, { withCliContext }] = await Promise.all([
    import('../import/django.import.js'),
    import('../modules/catalog/catalog.cache.js'),
    import('./context.js'),
  ]);
  return withCliContext(async (ctx) => {
    await ctx.database.migrate();
    const dryRun = parsed.values['dry-run'];
    say(io, `${dryRun ? 'dry run: checking' : 'importing'} ${file} (${ctx.database.kind})`);
    const report = await importDjangoDump(ctx.db, dump, {
      dryRun,
      currency: ctx.config.currency,
      mediaUrl: ctx.config.mediaUrl,
      progress: (line) => say(io, line),
    });
    for (const [model, n] of Object.entries(report.ignored)) say(io, `${model}: ${n} rows, not carried over (Django internals)`);
    // cached catalog pages (Redis) predate the import: bumping the category version retires lists and details
    if (!dryRun) await invalidateCatalog(ctx, { categories: true });
    if (!report.problems.length) return 0;
    say(io, `${report.problems.length} rows could not be ${dryRun ? 'mapped' : 'imported'}:`);
    printProblems(io, report.problems);
    return 1;
  }, io);
}

await runMain(import.meta.url, main, { exit: true });
