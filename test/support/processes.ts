// Spawns Emporium's entry points (worker, scheduler, server) as real child processes for the resilience
// tests. They run the TypeScript sources through tsx (no build step; one compile cache for all), log JSON
// lines that the test waits on, and print their output when a test fails.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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

export function spawnEntry(name: string, entry: 'worker' | 'scheduler' | 'server', env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', `${entry}.ts`)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
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
    waitFor(pattern, ms = 240_000) {
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

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.kill('SIGKILL')));
  children.clear();
}

export async function until(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
