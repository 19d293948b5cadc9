// DATABASE_REPLICA_URL: a second database stands in as the replica, migrated like the primary but holding
// DIFFERENT rows (same slug, another name), so each answer says which database it was read from. The replica
// is reached through a fault proxy, so the last test can cut it.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/core/db.js';
import type { App } from '../../src/core/module.js';
import { makeCategory, makeProduct } from '../factories/catalog.js';
import { authHeader, makeUser } from '../factories/users.js';
import { createTestApp, openTestDatabase } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from '../support/fault-proxy.js';
import { databaseUrlOf } from '../support/processes.js';

const databaseUrl = process.env.DATABASE_URL;
const LAG_MS = 2000;

describe.skipIf(!databaseUrl)('catalog reads on a read replica (skipped: needs DATABASE_URL)', () => {
  let replica: Database;
  let proxy: FaultProxy;
  let app: App;
  let staff: { authorization: string };
  let clock = Date.now();
  let pageSize = 1;
  const logLines: string[] = [];
  const logged = (text: string) => logLines.filter((line) => line.includes(text)).length;

  /** Names on an uncached list page (a page size not asked before is a new cache key, so a miss). */
  const listNames = async (headers: Record<string, string> = {}) => {
    const response = await app.inject({ url: `/api/v1/products/?page_size=${pageSize++}&ordering=name`, headers });
    expect(response.statusCode).toBe(200);
    return (response.json().results as { name: string }[]).map((p) => p.name);
  };

  beforeAll(async () => {
    replica = await openTestDatabase();
    proxy = await startFaultProxy(targetOf(databaseUrl as string, 5432));
    app = await createTestApp({
      logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      env: {
        DATABASE_REPLICA_URL: await databaseUrlOf(replica.db, proxy.url(databaseUrl as string)),
        DATABASE_REPLICA_LAG_MS: String(LAG_MS),
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        UNAVAILABLE_RETRY_AFTER: '1',
      },
    });
    app.ctx.now = () => new Date(clock); // the lag window follows ctx.now
    await makeProduct(app, { slug: 'lamp', name: 'Primary lamp' });
    const onReplica = { ctx: { db: replica.db, config: app.ctx.config } } as unknown as App;
    await makeProduct(onReplica, { slug: 'lamp', name: 'Replica lamp' });
    await makeCategory(onReplica, { slug: 'replica-only', name: 'Replica only' });
    staff = await authHeader(app, await makeUser(app, { isStaff: true }));
  });
  afterAll(async () => {
    await proxy?.restore();
    await app?.close();
    await proxy?.close();
    await replica?.close();
  });

  it('reads anonymous list, detail and category pages from the replica', async () => {
    expect(await listNames()).toEqual(['Replica lamp']);
    const detail = await app.inject({ url: '/api/v1/products/lamp/' });
    expect(detail.json().name).toBe('Replica lamp');
    expect((await app.inject({ url: '/api/v1/products/categories/replica-only/' })).statusCode).toBe(200);
    const tree = await app.inject({ url: '/api/v1/products/categories/' });
    expect(tree.json().map((c: { slug: string }) => c.slug)).toEqual(['replica-only']);
  });

  it("reads a staff user's requests from the primary", async () => {
    expect(await listNames(staff)).toEqual(['Primary lamp']);
    const detail = await app.inject({ url: '/api/v1/products/lamp/', headers: staff });
    expect(detail.json().name).toBe('Primary lamp');
    const category = await app.inject({ url: '/api/v1/products/categories/replica-only/?include_inactive=true', headers: staff });
    expect(category.statusCode).toBe(404);
  });

  it('reads the primary for DATABASE_REPLICA_LAG_MS after a staff edit, then the replica again', async () => {
    const edit = await app.inject({
      method: 'PATCH',
      url: '/api/v1/products/lamp/',
      headers: staff,
      payload: { name: 'Edited lamp' },
    });
    expect(edit.statusCode).toBe(200);
    // anonymous, within the window: the edit (primary), and so is the detail cached under its new version
    expect(await listNames()).toEqual(['Edited lamp']);
    expect((await app.inject({ url: '/api/v1/products/lamp/' })).json().name).toBe('Edited lamp');
    clock += LAG_MS - 100;
    expect(await listNames()).toEqual(['Edited lamp']);
    clock += 200; // past the window: the replica (which, standing in, never got the edit)
    expect(await listNames()).toEqual(['Replica lamp']);
  });

  it('knows of a write made by another process through the shared cache', async () => {
    clock += LAG_MS * 2;
    expect(await listNames()).toEqual(['Replica lamp']);
    // another process's write: only the shared key, not this process's memory (a second app on the same cache)
    await app.ctx.cache.set('catalog:last-write', String(clock), 5);
    expect(await listNames()).toEqual(['Edited lamp']);
  });

  it('reads the primary while the replica is unreachable, and the replica again once it answers', async () => {
    clock += LAG_MS * 2;
    expect(await listNames()).toEqual(['Replica lamp']);
    await proxy.cut();
    expect(await listNames()).toEqual(['Edited lamp']); // the failed read went to the primary
    expect(await listNames()).toEqual(['Edited lamp']); // breaker open: straight to the primary
    await new Promise((r) => setTimeout(r, 1100)); // UNAVAILABLE_RETRY_AFTER: a trial read, failing again
    expect(await listNames()).toEqual(['Edited lamp']);
    expect(logged('read replica unreachable; catalog reads go to the primary')).toBe(1); // once per outage
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await listNames()).toEqual(['Replica lamp']);
    expect(logged('read replica answers again')).toBe(1);
  });
});
