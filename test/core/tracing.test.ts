// OpenTelemetry, as an operator turns it on: the compiled server started with the core/tracing.ts preload and
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver (this test). An API request that enqueues a
// job exports an HTTP span named by route, PostgreSQL and Redis spans (with real services), and the job's span
// linked to the request's trace (run in the API process, or by a worker through RabbitMQ when AMQP_URL is set,
// with amqplib spans); nothing exported carries a password, token, query string or SQL parameter.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/core/db.js';
import { openTestDatabase } from '../setup/test-app.js';
import { freePort } from '../support/processes.js';
import { createVhost } from '../support/rabbit-vhost.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  links?: { traceId: string; spanId: string }[];
  scope: string;
  /** The exporting process (server, worker), from the resource. */
  process: string;
}

const PASSWORD = 'Tr4cing-secret-pass!';
const QUERY_SECRET = 'query-secret-8f3a1c';
const EMAIL = `tracing-${Date.now()}@example.com`;

let receiver: http.Server;
const bodies: string[] = [];
const spans: OtlpSpan[] = [];
const children: ChildProcess[] = [];
let output = '';
let base = '';
let dataDir = '';
let database: Database | undefined;
let vhost: ReturnType<typeof createVhost> | undefined;

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.boolValue;
};

async function until<T>(find: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}; spans: ${spans.map((s) => s.name).join(', ')}\n${output}`);
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url !== '/v1/traces') return void res.writeHead(404).end();
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: OtlpSpan['attributes'] };
          scopeSpans: { scope: { name: string }; spans: Omit<OtlpSpan, 'scope' | 'process'>[] }[];
        }[];
      };
      for (const rs of parsed.resourceSpans) {
        const process = rs.resource.attributes.find((a) => a.key === 'emporium.process')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, scope: ss.scope.name, process });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const otlpPort = (receiver.address() as net.AddressInfo).port;

  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'pipe' }); // the compiled server, as deployed
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-tracing-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production', // no demo seeding: a quick start
    SECRET_KEY: 'tracing-test-secret-key-0123456789abcdef',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JOB_POLL_INTERVAL_MS: '100',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  if (process.env.DATABASE_URL) {
    database = await openTestDatabase();
    env.DATABASE_URL = database.url;
  }
  if (process.env.AMQP_URL) {
    vhost = createVhost(process.env.AMQP_URL); // our queue meets no other test's workers
    env.AMQP_URL = vhost.url;
  }
  const start = (entry: string, extra: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, ['--import', './dist/src/core/tracing.js', `dist/src/${entry}.js`], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    children.push(child);
    return child;
  };
  const server = start('server');
  if (process.env.AMQP_URL) start('worker', { OPS_PORT: String(await freePort()) }); // jobs go through RabbitMQ
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`server exited: ${output}`);
    const ok = await fetch(`${base}/health/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${output}`);
}, 90_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  receiver?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  await database?.close();
  vhost?.remove();
});

describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('exports the request, its database spans and the job it enqueued, linked to it, without secrets', async () => {
    const register = await fetch(`${base}/api/v1/auth/register/?token=${QUERY_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'tracing-register' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD, first_name: 'Trace' }),
    });
    expect(register.status).toBe(201);
    const login = await fetch(`${base}/api/v1/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const { access, refresh } = (await login.json()) as { access: string; refresh: string };
    const me = await fetch(`${base}/api/v1/users/me/?access_token=${access}`, { headers: { authorization: `Bearer ${access}` } });
    expect(me.status).toBe(200);

    // the request's span, named by its route, with its request id
    const request = await until(
      () => spans.find((s) => attr(s, 'emporium.request_id') === 'tracing-register'),
      'the register request span',
    );
    expect(request.name).toBe('POST /api/v1/auth/register/');
    expect(request.scope).toBe('@opentelemetry/instrumentation-http');
    expect(attr(request, 'http.route')).toBe('/api/v1/auth/register/');
    expect(attr(request, 'http.response.status_code') ?? attr(request, 'http.status_code')).toBe(201);

    // the verification-email job it enqueued: a trace of its own, linked to the request's span
    const job = await until(() => spans.find((s) => s.name === 'job accounts.send_verification_email'), 'the job span');
    expect(job.traceId).not.toBe(request.traceId);
    expect(job.links).toEqual([expect.objectContaining({ traceId: request.traceId, spanId: request.spanId })]);
    expect(attr(job, 'emporium.job.type')).toBe('accounts.send_verification_email');
    if (process.env.AMQP_URL) {
      // run by the worker after a trip through RabbitMQ: the link came with the message
      expect(job.process).toBe('worker');
      expect(request.process).toBe('server');
      await until(() => spans.find((s) => s.scope === '@opentelemetry/instrumentation-amqplib'), 'a RabbitMQ span');
    }

    if (process.env.DATABASE_URL) {
      // PostgreSQL spans inside the request's trace (PGlite runs in-process: no driver to instrument)
      const sql = spans.filter((s) => s.traceId === request.traceId && s.scope === '@opentelemetry/instrumentation-pg');
      const statements = sql.map((s) => String(attr(s, 'db.statement') ?? attr(s, 'db.query.text') ?? ''));
      expect(statements.some((t) => t.startsWith('insert into "users"'))).toBe(true);
      expect(statements.some((t) => t.startsWith('insert into "jobs"'))).toBe(true);
      // the job's own queries belong to the job's trace
      expect(spans.some((s) => s.traceId === job.traceId && s.scope === '@opentelemetry/instrumentation-pg')).toBe(true);
    }
    if (process.env.REDIS_URL) {
      await until(() => spans.find((s) => s.scope === '@opentelemetry/instrumentation-ioredis'), 'a Redis span');
    }

    // nothing exported holds the password, the email (an SQL parameter), a token or the query string
    await until(() => spans.find((s) => s.name === 'GET /api/v1/users/me/'), 'the /users/me/ span');
    const exported = bodies.join('\n');
    for (const secret of [PASSWORD, EMAIL, QUERY_SECRET, access, refresh, 'Bearer ']) {
      expect(exported.includes(secret), `exported spans contain ${secret.slice(0, 12)}…`).toBe(false);
    }
    for (const s of spans) for (const a of s.attributes) expect(a.key).not.toMatch(/authorization|cookie|^url\.query$|header/i);
  }, 60_000);
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('the preload starts nothing, and jobs carry no traceparent', async () => {
    expect(process.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    await import('../../src/core/tracing.js');
    const spansApi = await import('../../src/core/telemetry-spans.js');
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('emporium.tracing')]).toBeUndefined();
    expect(spansApi.tracingOn()).toBe(false);
    expect(spansApi.currentTraceParent()).toBeUndefined();
    expect(await spansApi.runInJobSpan({ id: 'j', type: 't', attempts: 1 }, async () => 'ran')).toBe('ran');
  });
});
