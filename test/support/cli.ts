// Runs a CLI's `main(args, io)` in-process with captured output: what `node dist/src/cli/<name>.js` would print
// and exit with, without a child process.
import { Readable } from 'node:stream';
import type { CliIo, CliMain } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Calls `main` with `args`, only the environment given (nothing inherited from the test process, as a CLI
 * started with a clean environment) and a stdin that is not a terminal.
 */
export async function runCli(main: CliMain, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { LOG_LEVEL: 'silent', ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
