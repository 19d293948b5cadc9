// The quick start, as a person would run it: the server process starts on an empty DATA_DIR, migrates,
// loads the demo data, answers, and exits cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface RunningServer {
  child: ChildProcess;
  base: string;
  dataDir: string;
  stop(): void;
}

/** Starts `src/server.ts` on the embedded database in a fresh DATA_DIR and waits until it answers. */
async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-server-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'NODE_ENV']) delete env[name];
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${base}/health/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base, dataDir, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`server did not start: ${output}`);
}

const loginAsDemoCustomer = (base: string) =>
  fetch(`${base}/api/v1/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'customer@emporium.local', password: 'customer-demo-pass' }),
  });

describe.skipIf(process.env.DATABASE_URL)('server process on the embedded default', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  }, 60_000);
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
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe.skipIf(process.env.DATABASE_URL)('server process with NODE_ENV=production', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ NODE_ENV: 'production', SECRET_KEY: 'a-production-secret-of-at-least-32-chars' });
  }, 60_000);
  afterAll(() => server?.stop());

  it('creates no demo accounts, whose passwords are published', async () => {
    expect((await loginAsDemoCustomer(server.base)).status).toBe(401);
    const products = (await (await fetch(`${server.base}/api/v1/products/`)).json()) as { count: number };
    expect(products.count).toBe(0);
  });
});

describe('server process with a bad setting', () => {
  it('refuses to start and names the variable', async () => {
    await expect(startServer({ PORT: 'eighty' })).rejects.toThrow(/Invalid environment variable PORT/);
  });
});
