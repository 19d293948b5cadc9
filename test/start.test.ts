// `npm start` and the CLIs as a newcomer runs them: the esbuild step compiles only what changed, the server
// starts from dist/ on a fresh DATA_DIR, logs its progress and ends with the URLs and demo accounts; the CLIs
// answer --help from the compiled build without loading the app.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as createsuperuserMain } from '../src/cli/createsuperuser.js';
import { main as importMain } from '../src/cli/import.js';
import { main as migrateMain } from '../src/cli/migrate.js';
import { main as seedMain } from '../src/cli/seed.js';
import { localBaseUrl, startupBanner } from '../src/startup.js';
import { runCli } from './support/cli.js';
import { freePort, hookTimeout, START_DEADLINE_MS } from './support/processes.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

async function runNode(args: string[], cwd = root, env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A TypeScript module source: `export const greet = (name: string): string => \`<word> ${name}\`;` */
const greeting = (word: string) => `export const greet = (name: string): string => \`${word} \${name}\`;\n`;

describe('scripts/build.mjs (incremental esbuild)', () => {
  let project: string;
  const build = () => runNode(['scripts/build.mjs'], project);
  const out = (name: string) => path.join(project, 'dist/src', name);

  beforeAll(() => {
    // a small project of its own: the script builds the project it sits in, and the real dist/ stays untouched
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-build-'));
    fs.mkdirSync(path.join(project, 'scripts'));
    fs.mkdirSync(path.join(project, 'src/lib'), { recursive: true });
    fs.copyFileSync(path.join(root, 'scripts/build.mjs'), path.join(project, 'scripts/build.mjs'));
    fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
    fs.writeFileSync(path.join(project, 'package.json'), '{"type":"module"}');
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
    fs.writeFileSync(path.join(project, 'src/lib/greet.ts'), greeting('hello'));
    fs.writeFileSync(
      path.join(project, 'src/main.ts'),
      "import type { Buffer } from 'node:buffer';\nimport { greet } from './lib/greet.js';\nconst unused: Buffer | null = null;\nconsole.log(greet('dist'), unused);\n",
    );
    fs.writeFileSync(path.join(project, 'src/main.test.ts'), 'export {};\n');
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it('compiles every source but the tests into dist/src with the same layout, runnable by node', async () => {
    const first = await build();
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('compiled 2 of 2 files');
    expect(fs.existsSync(out('main.test.js'))).toBe(false);
    expect(fs.existsSync(out('lib/greet.js.map'))).toBe(true);
    expect((await runNode([out('main.js')], project)).stdout).toBe('hello dist null\n');
  });

  it('is a no-op when nothing changed, and recompiles only the file that did', async () => {
    const before = fs.statSync(out('main.js')).mtimeMs;
    const again = await build();
    expect(again.stderr).toContain('up to date (2 files)');
    expect(fs.statSync(out('main.js')).mtimeMs).toBe(before);

    fs.writeFileSync(path.join(project, 'src/lib/greet.ts'), greeting('hi'));
    const edited = await build();
    expect(edited.stderr).toContain('compiled 1 of 2 files');
    expect(fs.statSync(out('main.js')).mtimeMs).toBe(before);
    expect((await runNode([out('main.js')], project)).stdout).toBe('hi dist null\n');
  });

  it('fails on a syntax error and compiles the file once it is fixed; removes outputs of deleted sources', async () => {
    fs.writeFileSync(path.join(project, 'src/lib/greet.ts'), 'export const greet = (name: string => name;\n');
    const broken = await build();
    expect(broken.code).toBe(1);
    fs.writeFileSync(path.join(project, 'src/lib/greet.ts'), greeting('hey'));
    const fixed = await build();
    expect(fixed.stderr).toContain('compiled 1 of 2 files');
    expect((await runNode([out('main.js')], project)).stdout).toBe('hey dist null\n');

    fs.rmSync(path.join(project, 'src/main.ts'));
    expect((await build()).code).toBe(0);
    expect(fs.existsSync(out('main.js'))).toBe(false);
    expect(fs.existsSync(out('main.js.map'))).toBe(false);
  });
});

describe('CLIs', () => {
  const mains = { migrate: migrateMain, seed: seedMain, createsuperuser: createsuperuserMain, import: importMain };

  it.each(Object.keys(mains))('%s --help prints usage and exits 0 without opening a database', async (cli) => {
    const result = await runCli(mains[cli as keyof typeof mains], ['--help'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:9/x',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Usage: npm run ${cli}`);
  });

  it.each(Object.keys(mains))('%s refuses an unknown option with usage and exit code 2', async (cli) => {
    const result = await runCli(mains[cli as keyof typeof mains], ['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain(`Usage: npm run ${cli}`);
  });

  it('seed refuses a negative product count', async () => {
    expect(await runCli(seedMain, ['--products', '-3'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--products'),
    });
  });

  it('answers --help from the compiled build as a process of its own', async () => {
    const result = await runNode(['dist/src/cli/seed.js', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: npm run seed');
  });
});

describe('start-up banner', () => {
  const demo = [{ email: 'admin@emporium.local', password: 'admin-demo-pass', role: 'admin' }];
  const input = { baseUrl: 'http://localhost:8000', database: 'PostgreSQL', adminAvailable: false, demoAccounts: demo };

  it('lists the URLs, the admin only when it is served, and the demo accounts outside production', () => {
    const text = startupBanner({ ...input, nodeEnv: 'development' });
    expect(text).toContain('http://localhost:8000/api/v1/');
    expect(text).toContain('http://localhost:8000/api/docs/');
    expect(text).toContain('http://localhost:8000/health/');
    expect(text).not.toContain('/admin/');
    expect(text).toMatch(/admin\s+admin@emporium\.local\s+admin-demo-pass/);
    expect(startupBanner({ ...input, nodeEnv: 'development', adminAvailable: true })).toContain('http://localhost:8000/admin/');
  });

  it('never shows demo passwords in production', () => {
    expect(startupBanner({ ...input, nodeEnv: 'production' })).not.toContain('demo-pass');
  });

  it('shows a URL a person can open for the listening address', () => {
    expect(localBaseUrl('0.0.0.0', 8000)).toBe('http://localhost:8000');
    expect(localBaseUrl('::', 8001)).toBe('http://localhost:8001');
    expect(localBaseUrl('127.0.0.1', 80)).toBe('http://127.0.0.1:80');
    expect(localBaseUrl('::1', 80)).toBe('http://[::1]:80');
  });
});

// `npm start` itself (build step + dist/src/server.js) on an empty DATA_DIR, as the README's quick start says.
describe.skipIf(process.env.DATABASE_URL)('npm start on a fresh DATA_DIR', () => {
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-start-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'NODE_ENV']) delete env[name];
    // its own process group, so the test can stop npm and the server it started together
    child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const deadline = Date.now() + START_DEADLINE_MS;
    while (child.exitCode === null && Date.now() < deadline) {
      // the banner is printed once listening, just after /health/ starts answering
      if (
        output.includes('Demo accounts') &&
        (await fetch(`${base}/health/`).then(
          (r) => r.ok,
          () => false,
        ))
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`npm start did not come up within ${START_DEADLINE_MS} ms; it printed:\n${output}`);
  }, hookTimeout());

  afterAll(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs the one-time database creation and each demo-data step before listening', () => {
    const first = output.indexOf('first start: creating the embedded database');
    const accounts = output.indexOf('empty embedded database: loading demo accounts');
    const catalog = output.indexOf('empty embedded database: loading demo catalog (200 products');
    const loaded = output.indexOf('demo data loaded in');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(accounts).toBeGreaterThan(first);
    expect(catalog).toBeGreaterThan(accounts);
    expect(loaded).toBeGreaterThan(catalog);
    expect(output.indexOf('Emporium is ready')).toBeGreaterThan(loaded);
  });

  it('ends with the URLs of this server and the demo accounts that exist', async () => {
    const port = new URL(base).port;
    expect(output).toContain(`API       http://127.0.0.1:${port}/api/v1/`);
    expect(output).toContain(`API docs  http://127.0.0.1:${port}/api/docs/`);
    expect(output).toContain(`Health    http://127.0.0.1:${port}/health/`);
    for (const email of ['admin@emporium.local', 'staff@emporium.local', 'customer@emporium.local'])
      expect(output).toContain(email);
    // the docs URL it prints answers
    expect((await fetch(`${base}/api/docs/`)).status).toBeLessThan(400);
    // the admin line appears exactly when the server serves /admin/
    const admin = await fetch(`${base}/admin/`);
    expect(output.includes(`Admin     ${base}/admin/`)).toBe(admin.ok);
  });

  it('logs in with the demo customer the banner shows', async () => {
    const login = await fetch(`${base}/api/v1/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'customer@emporium.local', password: 'customer-demo-pass' }),
    });
    expect(login.status).toBe(200);
  });
});
