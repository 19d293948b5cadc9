#!/usr/bin/env node
// Compiles src/ to dist/src/ with esbuild: one JavaScript file per TypeScript file (no bundling, same layout as
// tsc's output), and only the files whose content changed since the last build, so `npm start` and the CLIs
// start in about a second instead of waiting for a full `tsc` (25-50 s here). Type checking is `npm run
// typecheck` (tsc --noEmit), which CI runs; see docs/decisions.md "Fast start".
//   node scripts/build.mjs [--quiet] [--clean]
// --quiet prints nothing when nothing changed; --clean recompiles everything.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

const SRC = 'src';
const OUT = 'dist/src';
const MANIFEST = 'dist/.build-manifest.json';
const quiet = process.argv.includes('--quiet');
const clean = process.argv.includes('--clean');

const options = {
  outdir: OUT,
  outbase: SRC,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
};

// esbuild itself is loaded only when something needs compiling: a no-op build stays a few file reads.
const { version } = createRequire(import.meta.url)('esbuild/package.json');
const sha1 = (text) => createHash('sha1').update(text).digest('hex');

/** Every source that goes into dist (tests and declaration files stay out, as in tsconfig.build.json). */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    const wanted = entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts');
    return wanted ? [file] : [];
  });
}

const outputOf = (source) => path.join(OUT, path.relative(SRC, source)).replace(/\.ts$/, '.js');

function readManifest() {
  try {
    return JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return { key: '', files: {} };
  }
}

// Anything that changes every output (compiler version, options, tsconfig, this script) rebuilds from scratch.
const key = sha1(
  JSON.stringify([
    version,
    options,
    fs.readFileSync('tsconfig.json', 'utf8'),
    fs.readFileSync(fileURLToPath(import.meta.url), 'utf8'),
  ]),
);
const previous = clean ? { key: '', files: {} } : readManifest();
const fresh = previous.key !== key;
if (fresh) fs.rmSync(OUT, { recursive: true, force: true });

const started = performance.now();
const files = {};
const changed = [];
for (const source of sources(SRC)) {
  files[source] = sha1(fs.readFileSync(source));
  if (fresh || previous.files[source] !== files[source] || !fs.existsSync(outputOf(source))) changed.push(source);
}
// Outputs of deleted sources would still be importable from dist: remove them.
for (const source of Object.keys(previous.files)) {
  if (fresh || source in files) continue;
  fs.rmSync(outputOf(source), { force: true });
  fs.rmSync(`${outputOf(source)}.map`, { force: true });
}

if (changed.length) {
  try {
    const { build } = await import('esbuild');
    await build({ ...options, entryPoints: changed });
  } catch {
    process.exit(1); // esbuild has printed the errors; the manifest keeps the old hashes so they rebuild next time
  }
}
fs.mkdirSync(path.dirname(MANIFEST), { recursive: true });
fs.writeFileSync(MANIFEST, JSON.stringify({ key, files }));

const total = Object.keys(files).length;
const ms = Math.round(performance.now() - started);
if (changed.length) console.error(`build: compiled ${changed.length} of ${total} files to ${OUT}/ in ${ms} ms`);
else if (!quiet) console.error(`build: ${OUT}/ is up to date (${total} files)`);
