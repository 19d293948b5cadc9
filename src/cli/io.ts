// What a CLI reads and writes, passed in rather than taken from `process`, so tests call a CLI's
// `main(args, io)` in-process (no child process, no compile step) and read what it printed and its exit code.
// The file run by `node dist/src/cli/<name>.js` is a thin wrapper: `runMain(import.meta.url, main)`.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The environment the command reads its settings from (loadConfig, EMPORIUM_SUPERUSER_*). */
  env: Record<string, string | undefined>;
}

/** A command: resolves with its exit code (0 done, 1 refused or failed, 2 bad arguments or configuration). */
export type CliMain = (args: string[], io: CliIo) => Promise<number>;

export const processIo = (): CliIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

/** `console.log` / `console.error` for an io. */
export const say = (io: CliIo, text: string) => io.stdout.write(`${text}\n`);
export const complain = (io: CliIo, text: string) => io.stderr.write(`${text}\n`);

/**
 * Parses a command's arguments (node:util parseArgs; `config.options` should have `help`). Resolves to the parsed
 * arguments, or to an exit code once it has answered: usage and 0 for --help, the error and usage and 2 for
 * arguments it does not accept.
 */
export function parseCliArgs<T extends ParseArgsConfig>(
  io: CliIo,
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    complain(io, `${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as Record<string, unknown>).help) {
    say(io, usage);
    return 0;
  }
  return parsed;
}

function isEntry(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return moduleUrl === pathToFileURL(fs.realpathSync(script)).href;
  } catch {
    return false;
  }
}

/**
 * Runs `main` with the process's arguments and streams when `moduleUrl` is the script node was started with
 * (and not when a test or another module imports it). `exit: true` ends the process once main returns (for
 * commands whose clients keep sockets open a little longer); otherwise the exit code is set and node ends
 * when nothing is left to do.
 */
export async function runMain(moduleUrl: string, main: CliMain, options: { exit?: boolean } = {}): Promise<void> {
  if (!isEntry(moduleUrl)) return;
  const code = await main(process.argv.slice(2), processIo());
  if (options.exit) process.exit(code);
  process.exitCode = code;
}
