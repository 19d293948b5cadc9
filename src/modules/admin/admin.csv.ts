// CSV in and out for the admin: parsing an uploaded import file (csv-parse) into rows with their line
// numbers, and writing CSV text for exports (csv-stringify), batch by batch.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { fieldError, ValidationFailed } from '../../core/errors.js';
import { IMPORT_COLUMNS, type ImportRow, REQUIRED_COLUMNS } from '../catalog/products-import.service.js';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;

/** The import file's rows, each with the line it ends on. Header problems and broken CSV are 400s. */
export function parseImportCsv(text: string): ImportRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    records = parse(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim().toLowerCase());
        return header;
      },
      info: true,
      skip_empty_lines: true,
      relax_quotes: false,
    });
  } catch (error) {
    throw fieldError('file', `Not a readable CSV file: ${(error as Error).message}`, 'invalid_csv');
  }
  if (header.length === 0) throw fieldError('file', 'The file is empty; the first line must be the header.', 'invalid_csv');
  const known = new Set<string>(IMPORT_COLUMNS);
  const unknown = header.filter((h) => !known.has(h));
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (unknown.length || missing.length) {
    throw new ValidationFailed(
      {
        file: [
          ...(unknown.length ? [`Unknown columns: ${unknown.join(', ')}. Allowed: ${IMPORT_COLUMNS.join(', ')}.`] : []),
          ...(missing.length ? [`Missing required columns: ${missing.join(', ')}.`] : []),
        ],
      },
      'The header does not match the import columns.',
      'invalid_csv',
    );
  }
  if (records.length > MAX_IMPORT_ROWS) {
    throw fieldError('file', `At most ${MAX_IMPORT_ROWS} rows per file; split it.`, 'too_many_rows');
  }
  return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
}

/** CSV text of some rows (with the header line when `header` is set). */
export function csvLines(columns: readonly string[], rows: unknown[][], header: boolean): string {
  return stringify(rows, { header, columns: [...columns], cast: { boolean: (value) => String(value) } });
}
