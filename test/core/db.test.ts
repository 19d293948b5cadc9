import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/core/db.js';

describe.skipIf(process.env.DATABASE_URL)('embedded PGlite database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-pgdata-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its data under DATA_DIR across restarts, and migrating twice is a no-op', async () => {
    const applied = async (database: Awaited<ReturnType<typeof openDatabase>>) =>
      (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`))[0]?.n;
    // created from the run's migrated template, as a first start does (initdb would add 10+ s and test PGlite)
    const first = await openDatabase({ dataDir, loadDataDir: new Blob([fs.readFileSync(inject('pgliteSnapshot'))]) });
    await first.migrate();
    const migrations = await applied(first);
    expect(migrations).toBeGreaterThan(0);
    await first.db.execute(sql`INSERT INTO jobs (type, payload) VALUES ('test.persist', '{}')`);
    await first.close();

    const second = await openDatabase({ dataDir });
    await second.migrate();
    const rows = await queryRows<{ type: string }>(second.db, sql`SELECT type FROM jobs WHERE type = 'test.persist'`);
    expect(rows).toEqual([{ type: 'test.persist' }]);
    expect(await applied(second)).toBe(migrations); // the second migrate applied nothing again
    await second.close();
  });
});
