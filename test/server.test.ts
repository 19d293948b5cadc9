// The quick start, as a person would run it: the compiled server process starts on an empty DATA_DIR,
// migrates, loads the demo data, answers, and exits cleanly on SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookTimeout, type ServerProcess, START_DEADLINE_MS, startServer } from './support/processes.js';

const loginAsDemoCustomer = (base: string) =>
  fetch(`${base}/api/v1/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'customer@emporium.local', password: 'customer-demo-pass' }),
  });

describe.skipIf(process.env.DATABASE_URL)('server process on the embedded default', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  }, hookTimeout());
  afterAll(() => server?.stop());

  it('is ready with its embedded database under DATA_DIR', async () => {
    const res = await fetch(`${server.base}/ready/`);
    expect(res.status).toBe(200);
    expect(fs.existsSync(path.join(server.dataDir, 'pgdata'))).toBe(true);
  });

  it('has the demo data the README promises: a catalog and a customer who can log in', async () => {
    const products = (await (await fetch(`${server.base}/api/v1/products/?page_size=1`)).json()) as { count: number };
    expect(products.count).toBeGreaterThan(150); // 200 seeded, a few of them inactive
    const login = await loginAsDemoCustomer(server.base);
    expect(login.status).toBe(200);
    const { access, user } = (await login.json()) as { access: string; user: Record<string, unknown> };
    expect(user).toMatchObject({ email: 'customer@emporium.local', is_staff: false });
    const me = await fetch(`${server.base}/api/v1/users/me/`, { headers: { authorization: `Bearer ${access}` } });
    expect(me.status).toBe(200);
  });

  it('exits with status 0 on SIGTERM', async () => {
    expect(await server.child.kill('SIGTERM'), server.child.lines.join('\n')).toBe(0);
  });
});

describe.skipIf(process.env.DATABASE_URL)('server process with NODE_ENV=production', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ NODE_ENV: 'production', SECRET_KEY: 'a-production-secret-of-at-least-32-chars' });
  }, hookTimeout());
  afterAll(() => server?.stop());

  it('creates no demo accounts, whose passwords are published', async () => {
    expect((await loginAsDemoCustomer(server.base)).status).toBe(401);
    const products = (await (await fetch(`${server.base}/api/v1/products/`)).json()) as { count: number };
    expect(products.count).toBe(0);
  });
});

describe('server process with a bad setting', () => {
  it('refuses to start and names the variable', { timeout: START_DEADLINE_MS + 10_000 }, async () => {
    await expect(startServer({ PORT: 'eighty' })).rejects.toThrow(/Invalid environment variable PORT/);
  });
});
