// Two API apps standing in for two processes: one test database, one Redis key prefix of their own, and B
// reaching Redis through a fault proxy a test can cut. For what API processes share only through Redis (the
// catalog near cache's pub/sub, the batched rate limit).
import { randomBytes } from 'node:crypto';
import { createRedisCache } from '../../src/core/cache.js';
import type { App } from '../../src/core/module.js';
import { createTestApp, openTestDatabase } from '../setup/test-app.js';
import { type FaultProxy, startFaultProxy, targetOf } from './fault-proxy.js';

export interface TwoProcesses {
  a: App;
  /** Its Redis connections (commands and subscriber) go through `proxy`. */
  b: App;
  proxy: FaultProxy;
  close(): Promise<void>;
}

export async function startTwoProcesses(
  redisUrl: string,
  env: { a?: Record<string, string>; b?: Record<string, string> } = {},
): Promise<TwoProcesses> {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const database = await openTestDatabase();
  const shared = { ...database, close: async () => {} }; // closed once, by close()
  const proxy = await startFaultProxy(targetOf(redisUrl, 6379));
  const a = await createTestApp({ database: shared, env: env.a, cache: createRedisCache(redisUrl, prefix) });
  const cache = createRedisCache(proxy.url(redisUrl), prefix, { commandTimeoutMs: 300, breakerOpenMs: 200 });
  const b = await createTestApp({ database: shared, env: env.b, cache });
  return {
    a,
    b,
    proxy,
    async close() {
      await proxy.restore();
      await b.close();
      await a.close();
      await proxy.close();
      await database.close();
    },
  };
}
