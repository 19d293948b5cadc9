#!/usr/bin/env node
// Measures what the README's "Start-up times" table reports, each time to a healthy /health/ on a fresh DATA_DIR:
// `npm start` with nothing prepared (empty dist/: compile, build the admin UI, create the embedded database,
// seed); what `npm ci`'s postinstall adds (scripts/prepare.mjs, from an empty dist/); the first start after it
// (database from the template, seed); a second start (everything in place); and the CLIs from the build.
//   node scripts/measure-start.mjs [--port 8790]
// Prints the load average too: on a shared machine the wall-clock times scale with it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8790;
let dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-measure-'));
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
const freshDataDir = () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-measure-'));
  env.DATA_DIR = dataDir;
};
for (const name of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'NODE_ENV']) delete env[name];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const load = () => os.loadavg()[0].toFixed(1);

async function healthy() {
  return fetch(`http://127.0.0.1:${port}/health/`).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * CPU seconds used so far by a process group (Linux /proc; clock ticks of 1/100 s): a figure that depends far
 * less on what else the machine is doing than the wall clock does.
 */
function groupCpu(pgid) {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      // after "pid (comm) ": state ppid pgrp ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10;
}

/** `npm start` in its own process group; resolves with the time until /health/ answers 200, then stops it. */
async function timeStart() {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true, stdio: 'ignore' });
  while (!(await healthy())) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const elapsed = performance.now() - started;
  const cpu = groupCpu(child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
  return `${seconds(elapsed)} wall, ${seconds(cpu)} CPU`;
}

/** Wall and CPU time of an npm script, by GNU time (the CPU of npm and everything it ran). */
function timeCommand(args, command = ['npm', 'run', '--silent']) {
  const result = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S', ...command, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const [wall, user, sys] = (result.stderr.match(/@@ (.*)/)?.[1] ?? '0 0 0').split(' ').map(Number);
  return `${seconds(wall * 1000)} wall, ${seconds((user + sys) * 1000)} CPU`;
}

try {
  if (await healthy()) throw new Error(`port ${port} is taken; pass --port N`);
  const emptyDist = () => fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  console.log(`load average before: ${load()} on ${os.cpus().length} CPUs, Node ${process.version}`);
  const line = (label, result) => console.log(`${label.padEnd(48)}${result} (load ${load()})`);
  emptyDist();
  line('first start, nothing prepared (empty dist/):', await timeStart());
  emptyDist();
  freshDataDir();
  line("npm ci's postinstall (scripts/prepare.mjs):", timeCommand(['scripts/prepare.mjs'], ['node']));
  line('first start after npm ci:', await timeStart());
  line('second start:', await timeStart());
  for (const cli of ['migrate', 'seed', 'createsuperuser']) line(`npm run ${cli} -- --help:`, timeCommand([cli, '--', '--help']));
  line('npm run migrate (nothing pending):', timeCommand(['migrate']));
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
