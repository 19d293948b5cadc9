// Spawns Emporium's entry points (worker, scheduler, server) as real child processes for the start-up and
// resilience tests. They run the compiled build (dist/, compiled once by the global set-up, as `npm start`
// runs it: no TypeScript compiled on the fly), log JSON lines that the test waits on, and print their output
// when a test fails.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/core/db.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How long a spawned process may take to come up (first start on the embedded database included) on a loaded
 * 2-CPU machine. Waits give up after this with the child's output; hooks that wait get `hookTimeout(n)`.
 */
export const START_DEADLINE_MS = 150_000;

/** A hook timeout for a hook that waits for `starts` processes one after the other, with room to report. */
export const hookTimeout = (starts = 1) => starts * START_DEADLINE_MS + 20_000;

/** The compiled entry point of `entry` (dist/src/<entry>.js). */
export const compiledEntry = (entry: string) => path.join(root, 'dist', 'src', `${entry}.js`);

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Every output line so far. */
  lines: string[];
  /** Resolves with the first (past or future) line matching `pattern`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Count of lines matching `pattern`. */
  count(pattern: RegExp): number;
  /** The port of its ops endpoints (worker, scheduler) or of its API (server), once it logged it. */
  port(): Promise<number>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exitCode: number | null;
}

const children = new Set<Child>();

/** Starts `entry` with only PATH, HOME, NODE_ENV=test, LOG_LEVEL=info and `env` (an undefined value unsets). */
export function spawnEntry(
  name: string,
  entry: 'worker' | 'scheduler' | 'server',
  env: Record<string, string | undefined>,
): Child {
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    ...env,
  };
  const proc = spawn(process.execPath, ['--enable-source-maps', compiledEntry(entry)], {
    cwd: root,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  let exitCode: number | null = null;
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      lines.push(`[exit ${code ?? signal}]`);
      resolve(code);
    }),
  );
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve(line);
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const child: Child = {
    name,
    proc,
    lines,
    waitFor(pattern, ms = START_DEADLINE_MS) {
      const found = lines.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${name}: no line matching ${pattern} within ${ms} ms`));
        }, ms);
        waiters.add(waiter);
      });
    },
    count: (pattern) => lines.filter((l) => pattern.test(l)).length,
    async port() {
      const line = await child.waitFor(/ops endpoints listening|Server listening at/);
      const match = /"port":(\d+)/.exec(line) ?? /:(\d+)"?[,}]/.exec(line.replace(/.*listening at /, ''));
      return Number(match?.[1]);
    },
    async kill(signal = 'SIGTERM') {
      if (exitCode === null) proc.kill(signal);
      return exited;
    },
    get exitCode() {
      return exitCode;
    },
  };
  children.add(child);
  return child;
}

/** Output of every child spawned in this file, for a failing test's report. */
export function childOutput(): string {
  return [...children].map((c) => `----- ${c.name} -----\n${c.lines.slice(-80).join('\n')}`).join('\n');
}

/** Runs `body`; when it throws, prints the output of this file's children first (their logs explain why). */
export async function withOutput(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(childOutput());
    throw error;
  }
}

/**
 * DATABASE_URL of the database `db` is connected to (a test file's own clone), reached through `via` (the
 * server of DATABASE_URL, or a fault proxy's URL for it).
 */
export async function databaseUrlOf(db: Db, via = process.env.DATABASE_URL as string): Promise<string> {
  const [current] = await queryRows<{ name: string }>(db, sql`SELECT current_database() AS name`);
  const url = new URL(via);
  url.pathname = `/${current?.name}`;
  return url.toString();
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the probe server is closed before it resolves). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: Child;
  base: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The compiled server (dist/src/server.js) on the embedded database in a fresh DATA_DIR, as the quick start
 * runs it, resolved once `/health/` answers 200. Rejects with everything the server printed when it exits
 * first or does not answer within START_DEADLINE_MS.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-server-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // NODE_ENV unset: the default (development), which loads the demo data
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: undefined, ...extraEnv };
  const child = spawnEntry('server', 'server', env);
  const stop = async () => {
    await child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_DEADLINE_MS;
  while (child.exitCode === null && Date.now() < deadline) {
    const ok = await fetch(`${base}/health/`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base, dataDir, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = child.exitCode === null ? `no answer on /health/ within ${START_DEADLINE_MS} ms` : 'exited';
  await stop();
  throw new Error(`server did not start (${why}); it printed:\n${child.lines.join('\n')}`);
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.kill('SIGKILL')));
  children.clear();
}

/** Polls `check` every 50 ms until it is true; fails naming `what` after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
