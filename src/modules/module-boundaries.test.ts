// Proves `npm run lint`'s dependency rules (.dependency-cruiser.cjs) hold today and fail on the two mistakes
// they exist for: a new cycle between modules and a reach into another module's repo or tables. The mistakes are
// made in a throw-away tree (same layout, same config), never in src/.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const config = path.join(root, '.dependency-cruiser.cjs');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');
const run = promisify(execFile);

async function cruise(cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd });
    return { ok: true, output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A tiny src/modules tree: each file maps to the import specifiers it holds. */
async function tree(files: Record<string, string[]>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emporium-boundaries-'));
  dirs.push(dir);
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  );
  for (const [file, imports] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    const body = imports.map((spec, i) => `import * as m${i} from '${spec}';\nexport const u${i} = m${i};`).join('\n');
    await writeFile(path.join(dir, file), `${body}\nexport const x = 1;\n`);
  }
  return dir;
}

// depcruise is a child process that parses the tree: on a loaded 2-core machine a run takes tens of seconds
describe('module boundaries (npm run lint)', { timeout: 180_000 }, () => {
  it('hold in the code as it is', async () => {
    const result = await cruise(root);
    expect(result.output).not.toMatch(/error/);
    expect(result.ok).toBe(true);
  });

  it('pass a clean fixture: cart calls catalog through its service', async () => {
    const dir = await tree({
      'src/modules/catalog/catalog.service.ts': ['./catalog.repo.js'],
      'src/modules/catalog/catalog.repo.ts': [],
      'src/modules/cart/cart.service.ts': ['../catalog/catalog.service.js'],
    });
    expect((await cruise(dir)).ok).toBe(true);
  });

  it('fail on a cycle between two modules', async () => {
    const dir = await tree({
      'src/modules/accounts/accounts.routes.ts': ['../cart/cart.service.js'],
      'src/modules/cart/cart.service.ts': ['../accounts/accounts.service.js'],
      'src/modules/accounts/accounts.service.ts': [],
    });
    const result = await cruise(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-module-cycles');
  });

  it("fail on an import of another module's repo", async () => {
    const dir = await tree({
      'src/modules/orders/orders.repo.ts': [],
      'src/modules/payments/payments.service.ts': ['../orders/orders.repo.js'],
    });
    const result = await cruise(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-reach-into-another-module');
  });

  it("fail on a service reading another module's tables, and on core importing a module", async () => {
    const dir = await tree({
      'src/modules/accounts/accounts.tables.ts': [],
      'src/modules/cart/cart.tables.ts': ['../accounts/accounts.tables.js'],
      'src/modules/cart/cart.service.ts': ['../accounts/accounts.tables.js'],
      'src/core/jobs.ts': ['../modules/cart/cart.service.js'],
    });
    const result = await cruise(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-reach-into-another-module: src/modules/cart/cart.service.ts');
    expect(result.output).not.toContain('cart.tables.ts →');
    expect(result.output).toContain('core-stays-below-modules');
  });
});
