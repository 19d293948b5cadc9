// `npm run createsuperuser`: like Django's. Interactive prompts on a terminal; non-interactive with --no-input
// (or when stdin is not a TTY), taking --email/--password or EMPORIUM_SUPERUSER_EMAIL/_PASSWORD. Migrates first,
// so it works on a database that was never migrated. Exit codes: 0 created, 1 refused, 2 bad arguments or configuration.
// The app is imported after the arguments are read, so --help and bad arguments answer at once.
import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { parseArgs } from 'node:util';
import { type CliIo, complain, parseCliArgs, runMain, say } from './io.js';

const usage = `Usage: npm run createsuperuser -- [--email E] [--password P] [--first-name F] [--last-name L]
                                  [--no-input] [--skip-validation]
Without --no-input (and on a terminal) asks for what is missing. Environment: EMPORIUM_SUPERUSER_EMAIL,
EMPORIUM_SUPERUSER_PASSWORD. --skip-validation accepts a password that fails the password rules.`;

const options = {
  email: { type: 'string' },
  password: { type: 'string' },
  'first-name': { type: 'string' },
  'last-name': { type: 'string' },
  'no-input': { type: 'boolean', default: false },
  'skip-validation': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
type Args = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Loading the app takes a moment: started as soon as the arguments are valid, so it overlaps with the prompts.
const loadApp = () =>
  Promise.all([
    import('../core/errors.js'),
    import('../modules/accounts/accounts.service.js'),
    import('../modules/accounts/password-rules.js'),
    import('./context.js'),
  ]);

/**
 * Terminal output that can be muted: readline echoes what is typed through its output stream (the terminal is
 * in raw mode), so muting it while a password is typed hides the password.
 */
class MutableOutput extends Writable {
  muted = false;
  constructor(private readonly target: CliIo['stdout']) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    if (!this.muted) this.target.write(chunk.toString());
    done();
  }
}

interface Answers {
  email: string;
  password: string;
  skipRules: boolean;
}

async function interactive(
  io: CliIo,
  args: Args,
  initialEmail: string | undefined,
  loading: ReturnType<typeof loadApp>,
): Promise<Answers> {
  const output = new MutableOutput(io.stdout);
  const rl = readline.createInterface({ input: io.stdin, output, terminal: true });
  /** Reads a line without echoing it (the password). */
  const askHidden = async (query: string) => {
    io.stdout.write(query);
    output.muted = true;
    try {
      return await rl.question('');
    } finally {
      output.muted = false;
      io.stdout.write('\n');
    }
  };
  try {
    let email = initialEmail ?? '';
    while (!EMAIL.test(email)) {
      if (email) complain(io, 'Error: Enter a valid email address.');
      email = (await rl.question('Email: ')).trim();
    }
    for (;;) {
      const password = await askHidden('Password: ');
      if ((await askHidden('Password (again): ')) !== password) {
        complain(io, "Error: Your passwords didn't match.");
        continue;
      }
      if (!password) {
        complain(io, 'Error: Blank passwords are not allowed.');
        continue;
      }
      const { passwordProblems } = (await loading)[2];
      const problems = args['skip-validation'] ? [] : passwordProblems(password, { email });
      if (!problems.length) return { email, password, skipRules: false };
      for (const p of problems) complain(io, p);
      const bypass = await rl.question('Bypass password validation and create user anyway? [y/N]: ');
      if (/^y(es)?$/i.test(bypass.trim())) return { email, password, skipRules: true };
    }
  } finally {
    rl.close();
  }
}

/** The answers from flags and environment, or the reason (exit 1) they are not enough without a terminal. */
function nonInteractive(args: Args, email: string | undefined, password: string | undefined): Answers | string {
  if (!email) return '--email (or EMPORIUM_SUPERUSER_EMAIL) is required in non-interactive mode.';
  if (!password) return '--password (or EMPORIUM_SUPERUSER_PASSWORD) is required in non-interactive mode.';
  if (!EMAIL.test(email)) return 'Enter a valid email address.';
  return { email, password, skipRules: args['skip-validation'] };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(io, { args: argv, options }, usage);
  if (typeof parsed === 'number') return parsed;
  const args: Args = parsed.values;
  const loading = loadApp();
  loading.catch(() => {}); // awaited below; a refusal before that must not leave it unhandled
  const email = args.email ?? io.env.EMPORIUM_SUPERUSER_EMAIL;
  const password = args.password ?? io.env.EMPORIUM_SUPERUSER_PASSWORD;
  let answers: Answers;
  if (args['no-input'] || !io.stdin.isTTY || (email && password)) {
    const checked = nonInteractive(args, email, password);
    if (typeof checked === 'string') {
      complain(io, `Error: ${checked}`);
      return 1;
    }
    answers = checked;
  } else {
    answers = await interactive(io, args, email, loading);
  }

  const [{ ValidationFailed }, { registerUser }, , { withCliContext }] = await loading;
  return withCliContext(async (ctx) => {
    await ctx.database.migrate();
    try {
      const user = await registerUser(
        ctx,
        {
          email: answers.email,
          password: answers.password,
          firstName: args['first-name'],
          lastName: args['last-name'],
          isStaff: true,
          isSuperuser: true,
          isEmailVerified: true,
        },
        { skipPasswordRules: answers.skipRules },
      );
      say(io, `Superuser created successfully: ${user.email}`);
      return 0;
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      for (const [field, messages] of Object.entries(error.errors ?? {})) {
        for (const message of messages) complain(io, `Error (${field}): ${message}`);
      }
      return 1;
    }
  }, io);
}

await runMain(import.meta.url, main);
