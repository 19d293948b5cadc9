// SENTRY_DSN: a 5xx reaches a local endpoint standing in for Sentry, with the request id, user id, release and
// environment, and without the password, the token or the cookie of the request.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { requireUser } from '../src/core/auth.js';
import type { App } from '../src/core/module.js';
import { flushTelemetry, initTelemetry, scrubEvent } from '../src/core/telemetry.js';
import { authHeader, makeUser } from './factories/users.js';
import { createTestApp, TEST_SECRET } from './setup/test-app.js';

const envelopes: { url: string; items: Record<string, unknown>[] }[] = [];
let receiver: http.Server;
let dsn: string;
let app: App;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const items = body
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      envelopes.push({ url: req.url ?? '', items });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as { port: number };
  dsn = `http://publickey@127.0.0.1:${port}/1`;
  const env = { SENTRY_DSN: dsn, SENTRY_RELEASE: 'emporium@9.9.9-test', SENTRY_ENVIRONMENT: 'staging-test' };
  await initTelemetry(loadConfig({ NODE_ENV: 'test', SECRET_KEY: TEST_SECRET, ...env }));
  app = await createTestApp({
    env,
    beforeReady: (a) => {
      a.post('/api/v1/test-boom/', { preHandler: requireUser }, async () => {
        throw new Error('database exploded');
      });
    },
  });
});
afterAll(async () => {
  await app.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const events = () => envelopes.flatMap((e) => e.items.filter((item) => typeof item.event_id === 'string' && 'exception' in item));

async function waitForEvents(n: number) {
  await flushTelemetry(3000);
  for (let i = 0; i < 50 && events().length < n; i++) await new Promise((r) => setTimeout(r, 50));
}

describe('Sentry error tracking', () => {
  it('reports a server error with request id, user, release and environment, and no secrets', async () => {
    const user = await makeUser(app);
    const auth = await authHeader(app, user);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/test-boom/?token=query-secret-123&page=2',
      headers: { ...auth, cookie: 'sessionid=cookie-secret-456', 'x-request-id': 'req-sentry-1' },
      payload: { password: 'hunter2-body-secret', refresh: 'refresh-secret-789', note: 'kept' },
    });
    expect(res.statusCode).toBe(500);
    await waitForEvents(1);

    const event = events().find((e) => (e.tags as Record<string, string>)?.request_id === 'req-sentry-1');
    expect(event).toBeDefined();
    expect(event).toMatchObject({
      release: 'emporium@9.9.9-test',
      environment: 'staging-test',
      user: { id: user.id },
      tags: { request_id: 'req-sentry-1' },
      transaction: 'POST /api/v1/test-boom/',
      request: { method: 'POST', url: '/api/v1/test-boom/', data: { note: 'kept' } },
    });
    expect(JSON.stringify(event)).toContain('database exploded');
    const everything = JSON.stringify(envelopes);
    for (const secret of ['hunter2-body-secret', 'refresh-secret-789', 'cookie-secret-456', 'query-secret-123']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(auth.authorization.slice('Bearer '.length));
  });

  it('does not report a caller’s mistake (4xx)', async () => {
    const before = events().length;
    const res = await app.inject({ method: 'GET', url: '/api/v1/orders/not-a-uuid/', headers: { 'x-request-id': 'req-404' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    await flushTelemetry(1000);
    expect(events().length).toBe(before);
  });

  it('scrubs tokens inside error messages too', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl';
    const out = scrubEvent({ exception: { values: [{ type: 'Error', value: `bad token ${jwt}` }] } });
    expect(out.exception?.values?.[0]?.value).toBe('bad token [Filtered]');
  });
});
