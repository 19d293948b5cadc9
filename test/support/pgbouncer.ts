// A private PgBouncer (Debian's /usr/sbin/pgbouncer) in transaction mode for tests: its own ini in a temp
// directory, a free port, trust auth, and only the databases the test names. Never the system's pgbouncer.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './processes.js';

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  port: number;
  /** URL of one of the aliases, with the user of `serverUrl`. */
  url(alias: string): string;
  /** What pgbouncer printed (its log goes to stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts pgbouncer with `aliases` (name -> database on the server of `serverUrl`, plus extra settings such as
 * `pool_size=1`). PgBouncer refuses to run as root: as root it is started with `-u nobody`.
 */
export async function startPgBouncer(serverUrl: string, aliases: Record<string, string>): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-pgbouncer-'));
  fs.chmodSync(dir, 0o755); // readable by `nobody`
  const port = await freePort();
  const databases = Object.entries(aliases).map(
    ([alias, rest]) => `${alias} = host=${server.hostname} port=${server.port || 5432} ${rest}`,
  );
  fs.writeFileSync(path.join(dir, 'users.txt'), `"${user}" ""\n`);
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      ...databases,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 20',
      'max_client_conn = 500',
      // the only startup parameter node-postgres may send that PgBouncer 1.18 does not know
      'ignore_startup_parameters = extra_float_digits',
    ].join('\n'),
  );
  const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), path.join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(PGBOUNCER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (alias: string) => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${alias}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const [first] = Object.keys(aliases);
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url(first as string) });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt > 50 || child.exitCode !== null) {
        await stop();
        throw new Error(`pgbouncer did not start: ${String(error)}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, url, output: () => output, stop };
}
