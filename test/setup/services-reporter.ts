// A Vitest reporter that adds one line under the summary when the tests of real services were skipped
// (DATABASE_URL, REDIS_URL or AMQP_URL unset: the embedded default), so a green run says what it did not run.
import type { Reporter } from 'vitest/reporters';

export const SERVICE_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL'] as const;

/** The line printed when tests of real services are skipped, or undefined when every service is configured. */
export function skippedServicesLine(env: Record<string, string | undefined> = process.env): string | undefined {
  const unset = SERVICE_VARIABLES.filter((name) => !env[name]);
  if (!unset.length) return undefined;
  return `Real-service tests skipped (${unset.join(', ')} unset; ran on embedded PGlite, in-process cache and jobs): \`npm run test:services\` runs them.`;
}

export default class ServicesReporter implements Reporter {
  onTestRunEnd() {
    const line = skippedServicesLine();
    if (line) console.log(`\n${line}`);
  }
}
