#!/usr/bin/env node
// Builds the admin UI (admin/ -> dist/admin) with Vite, but only when its sources or the installed packages
// changed since the last build, so `npm start` serves /admin/ after `npm ci` without paying for a Vite build
// on every start.   node scripts/build-admin.mjs [--force]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);
const STAMP = 'dist/admin/.build-hash';

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : files(file);
    return [file];
  });
}

const hash = createHash('sha1');
for (const file of [...files('admin').sort(), 'package-lock.json']) hash.update(file).update(fs.readFileSync(file));
const digest = hash.digest('hex');
const previous = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8') : '';
if (previous === digest && !process.argv.includes('--force')) process.exit(0);

console.log('building the admin UI (admin/ -> dist/admin) ...');
const vite = spawnSync(
  process.execPath,
  ['node_modules/vite/bin/vite.js', 'build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'],
  {
    stdio: 'inherit',
  },
);
if (vite.status !== 0) process.exit(vite.status ?? 1);
fs.writeFileSync(STAMP, digest);
