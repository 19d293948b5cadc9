// At start-up, a configured but unreachable dependency is reported once, naming its variable, and the
// process keeps starting (adapters reconnect by themselves) instead of crashing.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { closeContext, createContext } from '../../src/core/context.js';

describe('start-up with unreachable dependencies', () => {
  it('logs one error per unreachable dependency naming its variable, and still starts', async () => {
    const lines: Array<{ level: number; msg: string; variable?: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/nowhere',
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_CONNECT_TIMEOUT_MS: '500',
    });
    const ctx = await createContext(config, log, new Map());
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.variable).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(errors.find((l) => l.variable === 'DATABASE_URL')?.msg).toContain('DATABASE_URL');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
    // the cache answers (as misses) instead of throwing
    expect(await ctx.cache.get('anything')).toBeUndefined();
    await closeContext(ctx);
  });
});
