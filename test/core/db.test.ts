import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/core/db.js';

describe.skipIf(process.env.DATABASE_URL)('embedded PGlite database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-pgdata-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its data under DATA_DIR across restarts, and migrating twice is a no-op', async () => {
    const first = await openDatabase({ dataDir });
    await first.migrate();
    await first.db.execute(sql`INSERT INTO jobs (type, payload) VALUES ('test.persist', '{}')`);
    await first.close();

    const second = await openDatabase({ dataDir });
    await second.migrate();
    const rows = await queryRows<{ type: string }>(second.db, sql`SELECT type FROM jobs WHERE type = 'test.persist'`);
    expect(rows).toEqual([{ type: 'test.persist' }]);
    await second.close();
  });
});
