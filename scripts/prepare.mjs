#!/usr/bin/env node
// Run by `npm ci` / `npm install` (postinstall): does now what would otherwise make the first `npm start` slow:
// compiles src/ to dist/ (esbuild), builds the admin UI (Vite, dist/admin) and makes the embedded-database
// template (dist/pglite/: a migrated PGlite data directory that a first start loads instead of creating one,
// see src/startup.ts). Each step is skipped when already up to date. It never fails the install: a step that
// fails is reported, and `npm start` does it (or does without it) later.
//   node scripts/prepare.mjs        EMPORIUM_SKIP_PREPARE=1 skips everything
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

// A production install (`npm ci --omit=dev`, or the Docker image's own `npm run build`) has no compilers.
if (process.env.EMPORIUM_SKIP_PREPARE || !fs.existsSync('node_modules/esbuild') || !fs.existsSync('src')) process.exit(0);

const started = performance.now();
const step = (name, args) => {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) console.error(`prepare: ${name} failed (npm start will retry it)`);
  return result.status === 0;
};

if (step('compiling src/', ['scripts/build.mjs', '--quiet'])) {
  if (fs.existsSync('node_modules/vite') && fs.existsSync('admin')) step('building the admin UI', ['scripts/build-admin.mjs']);
  try {
    const { ensurePgliteTemplate } = await import(pathToFileURL(path.join(root, 'dist/src/startup.js')).href);
    const { file, created } = await ensurePgliteTemplate();
    if (created) console.error(`prepare: embedded-database template ${path.relative(root, file)}`);
  } catch (error) {
    console.error(`prepare: no embedded-database template (${String(error)}); a first start creates the database`);
  }
}
console.error(`prepare: ready for npm start in ${((performance.now() - started) / 1000).toFixed(1)} s`);
