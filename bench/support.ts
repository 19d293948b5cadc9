// Pieces the benchmarks that start their own servers share (bench/ceilings.ts, bench/scale-out.ts).
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';

export { freePort } from '../test/support/processes.js';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Polls `<url>/health/` until it answers 200; throws with what the process printed if it exits or never does. */
export async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    const ok = await fetch(`${url}/health/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/health/ did not answer; the process printed:\n${output()}`);
}

/** Slugs of the visible products in random order (at most `limit`): detail requests that are all misses. */
export async function visibleSlugsShuffled(databaseUrl: string, limit = 100_000): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ slug: string }>(
      'SELECT slug FROM products WHERE is_active AND deleted_at IS NULL ORDER BY random() LIMIT $1',
      [limit],
    );
    return rows.map((r) => r.slug);
  } finally {
    await client.end();
  }
}
