// `npm run openapi [-- --out FILE]`: prints (or writes) the OpenAPI document the server serves at /api/schema/,
// without a server or a database. The typed client and the Postman collection are generated from it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CliIo, parseCliArgs, runMain } from './io.js';

/**
 * The served OpenAPI document, from the app built in-process with fixed settings (so the developer's own
 * environment, e.g. Stripe keys, cannot change it). The database handle points at a closed port: `pg`
 * connects lazily, and building the app and its schema never queries.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const [{ buildApp }, { loadConfig }, { openDatabase }] = await Promise.all([
    import('../app.js'),
    import('../config.js'),
    import('../core/db.js'),
  ]);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-openapi-'));
  const url = 'postgres://openapi@127.0.0.1:9/never-connected';
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: url });
  const app = await buildApp(config, { database: await openDatabase({ url }) });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The document as committed files hold it: stable key order as served, two-space indent, final newline. */
export const formatDocument = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

const usage = `Usage: npm run openapi [-- --out FILE]

Prints the OpenAPI 3.1 document of this version of the API (the one served at /api/schema/), or writes it to FILE.`;

export async function main(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(
    io,
    { args, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const text = formatDocument(await openApiDocument());
  if (values.out) fs.writeFileSync(values.out, text);
  else io.stdout.write(text);
  return 0;
}

await runMain(import.meta.url, main);
