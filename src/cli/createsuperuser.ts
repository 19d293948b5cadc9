// `npm run createsuperuser`: like Django's. Interactive prompts on a terminal; non-interactive with --no-input
// (or when stdin is not a TTY), taking --email/--password or EMPORIUM_SUPERUSER_EMAIL/_PASSWORD. Migrates first,
// so it works on a database that was never migrated. Exit codes: 0 created, 1 refused, 2 bad arguments or configuration.
// The app is imported after the arguments are read, so --help and bad arguments answer at once.
import { stdin, stdout } from 'node:process';
import readline from 'node:readline/promises';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';

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
let args: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  args = parseArgs({ options }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}

if (args.help) {
  console.log(usage);
  process.exit(0);
}

// Loading the app takes a moment: start it now, so it overlaps with the prompts, and wait for it when needed.
const loading = Promise.all([
  import('../core/errors.js'),
  import('../modules/accounts/accounts.service.js'),
  import('../modules/accounts/password-rules.js'),
  import('./context.js'),
]);

function refuse(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Terminal output that can be muted: readline echoes what is typed through its output stream (the terminal is
 * in raw mode), so muting it while a password is typed hides the password.
 */
class MutableOutput extends Writable {
  muted = false;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    if (!this.muted) stdout.write(chunk);
    done();
  }
}

/** Reads a line without echoing it (the password). */
async function askHidden(rl: readline.Interface, output: MutableOutput, query: string): Promise<string> {
  stdout.write(query);
  output.muted = true;
  try {
    return await rl.question('');
  } finally {
    output.muted = false;
    stdout.write('\n');
  }
}

interface Answers {
  email: string;
  password: string;
  skipRules: boolean;
}

async function interactive(initialEmail: string | undefined): Promise<Answers> {
  const output = new MutableOutput();
  const rl = readline.createInterface({ input: stdin, output, terminal: true });
  try {
    let email = initialEmail ?? '';
    while (!EMAIL.test(email)) {
      if (email) console.error('Error: Enter a valid email address.');
      email = (await rl.question('Email: ')).trim();
    }
    for (;;) {
      const password = await askHidden(rl, output, 'Password: ');
      if ((await askHidden(rl, output, 'Password (again): ')) !== password) {
        console.error("Error: Your passwords didn't match.");
        continue;
      }
      if (!password) {
        console.error('Error: Blank passwords are not allowed.');
        continue;
      }
      const { passwordProblems } = (await loading)[2];
      const problems = args['skip-validation'] ? [] : passwordProblems(password, { email });
      if (!problems.length) return { email, password, skipRules: false };
      for (const p of problems) console.error(p);
      const bypass = await rl.question('Bypass password validation and create user anyway? [y/N]: ');
      if (/^y(es)?$/i.test(bypass.trim())) return { email, password, skipRules: true };
    }
  } finally {
    rl.close();
  }
}

const email = args.email ?? process.env.EMPORIUM_SUPERUSER_EMAIL;
const password = args.password ?? process.env.EMPORIUM_SUPERUSER_PASSWORD;
const noInput = args['no-input'] || !stdin.isTTY;

let answers: Answers;
if (noInput || (email && password)) {
  if (!email) refuse('--email (or EMPORIUM_SUPERUSER_EMAIL) is required in non-interactive mode.');
  if (!password) refuse('--password (or EMPORIUM_SUPERUSER_PASSWORD) is required in non-interactive mode.');
  if (!EMAIL.test(email)) refuse('Enter a valid email address.');
  answers = { email, password, skipRules: args['skip-validation'] };
} else {
  answers = await interactive(email);
}

const [{ ValidationFailed }, { registerUser }, , { withCliContext }] = await loading;
await withCliContext(async (ctx) => {
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
    console.log(`Superuser created successfully: ${user.email}`);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    process.exitCode = 1;
    for (const [field, messages] of Object.entries(error.errors ?? {})) {
      for (const message of messages) console.error(`Error (${field}): ${message}`);
    }
  }
});
