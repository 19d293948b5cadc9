// `npm run createsuperuser` against a temp DATA_DIR (embedded PGlite, never migrated before): its `main(args, io)`
// in-process, and once as a real process (the compiled build, from global set-up) on a pseudo-terminal.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/createsuperuser.js';
import { openDatabase, queryRows, sql } from '../src/core/db.js';
import { verifyPassword } from '../src/modules/accounts/accounts.passwords.js';
import { runCli } from './support/cli.js';

const root = path.resolve(import.meta.dirname, '..');
let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-su-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// only what the command needs: no DATABASE_URL/REDIS_URL, so it uses the embedded database under DATA_DIR
const createsuperuser = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(main, args, { DATA_DIR: dataDir, ...extraEnv });

async function usersInDataDir() {
  const database = await openDatabase({ dataDir: path.join(dataDir, 'pgdata') });
  try {
    return await queryRows<{
      email: string;
      password_hash: string;
      is_staff: boolean;
      is_superuser: boolean;
      is_email_verified: boolean;
    }>(database.db, sql`SELECT email, password_hash, is_staff, is_superuser, is_email_verified FROM users ORDER BY email`);
  } finally {
    await database.close();
  }
}

describe('npm run createsuperuser', { timeout: 120_000 }, () => {
  it('creates a staff superuser from flags on a database that was never migrated', async () => {
    const result = await createsuperuser(['--no-input', '--email', 'Root@Example.com', '--password', 'granite-otter-sky']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Superuser created successfully');
    const [user] = await usersInDataDir();
    expect(user).toMatchObject({ email: 'root@example.com', is_staff: true, is_superuser: true, is_email_verified: true });
    expect(await verifyPassword(user?.password_hash ?? '', 'granite-otter-sky')).toBe(true);
  });

  it('refuses a password that fails the password rules, exits 1 and creates nobody', async () => {
    const result = await createsuperuser(['--no-input', '--email', 'weak@example.com', '--password', '12345678']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('This password is too common.');
    expect((await usersInDataDir()).map((u) => u.email)).toEqual(['root@example.com']);
  });

  it('refuses an email that is already taken', async () => {
    const result = await createsuperuser(['--no-input', '--email', 'root@example.com', '--password', 'another-granite-otter']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
  });

  it('reads EMPORIUM_SUPERUSER_EMAIL/PASSWORD when stdin is not a terminal, and --skip-validation bypasses the rules', async () => {
    const result = await createsuperuser(['--skip-validation'], {
      EMPORIUM_SUPERUSER_EMAIL: 'ops@example.com',
      EMPORIUM_SUPERUSER_PASSWORD: 'password',
    });
    expect(result.code).toBe(0);
    expect((await usersInDataDir()).map((u) => u.email)).toEqual(['ops@example.com', 'root@example.com']);
  });

  it.skipIf(!fs.existsSync('/usr/bin/script'))(
    'asks on a terminal, hides the password, and offers to bypass a failing password rule',
    async () => {
      // `script` gives the command a real pseudo-terminal; we answer each prompt when it appears
      const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATA_DIR: dataDir, LOG_LEVEL: 'silent', TERM: 'dumb' };
      const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} dist/src/cli/createsuperuser.js`, '/dev/null'], {
        cwd: root,
        env,
      });
      const answers: [string, string][] = [
        ['Email: ', 'term@example.com'],
        ['Password: ', '123'],
        ['Password (again): ', '123'],
        ['create user anyway? [y/N]: ', 'n'],
        ['Password: ', 'quiet-granite-otter'],
        ['Password (again): ', 'quiet-granite-otter'],
      ];
      let output = '';
      let seen = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const next = answers[0];
        if (next && output.slice(seen).includes(next[0])) {
          seen = output.lastIndexOf(next[0]) + next[0].length;
          child.stdin.write(`${next[1]}\r`);
          answers.shift();
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toContain('This password is too short.');
      expect(output).toContain('Superuser created successfully: term@example.com');
      expect(output).not.toContain('quiet-granite-otter'); // never echoed
      const user = (await usersInDataDir()).find((u) => u.email === 'term@example.com');
      expect(await verifyPassword(user?.password_hash ?? '', 'quiet-granite-otter')).toBe(true);
    },
  );

  it('exits 1 when no password is given in non-interactive mode', async () => {
    const result = await createsuperuser(['--no-input', '--email', 'nopass@example.com']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--password');
  });
});
