// Runs once per `vitest` run:
//  - compiles src/ to dist/ (scripts/build.mjs, incremental): tests that start real processes (server, worker,
//    scheduler, CLIs) run the compiled build, as `npm start` does, instead of compiling TypeScript on the fly;
//  - migrates one template database, which every test file then clones, so each file starts from a fresh,
//    migrated database and runs never see each other's rows.
//  - PostgreSQL (DATABASE_URL set): a template database `emporium_tpl_<run>`; files CREATE DATABASE from it.
//  - PGlite (default): the migrated data-dir dump of src/startup.ts (dist/pglite/, kept between runs and
//    remade when a migration changes); files load it into an in-memory PGlite.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/core/db.js';
import { ensurePgliteTemplate } from '../../src/startup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunId: string;
    templateDatabase: string;
    pgliteSnapshot: string;
  }
}

function adminUrl(url: string, database = 'postgres'): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const root = path.resolve(import.meta.dirname, '../..');
function buildDist() {
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (error) {
    throw new Error(`scripts/build.mjs failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}

export default async function setup(project: TestProject) {
  buildDist();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  project.provide('testRunId', runId);
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `emporium_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template}`);
    const database = await openDatabase({ url: adminUrl(url, template), poolSize: 1 });
    await database.migrate();
    await database.close();
    project.provide('templateDatabase', template);
    project.provide('pgliteSnapshot', '');
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
        [`emporium_t_${runId}_%`, template],
      );
      for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
      await admin.end();
    };
  }
  // the migrated template that a first `npm start` loads (made here when `npm ci` did not make it)
  const { file } = await ensurePgliteTemplate();
  project.provide('templateDatabase', '');
  project.provide('pgliteSnapshot', file);
}
