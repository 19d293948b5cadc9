import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/core/module.js';
import { createTestApp } from './setup/test-app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('operations endpoints', () => {
  it('reports the process up on /health/', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports database and cache ready on /ready/', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toMatchObject({ database: 'ok', cache: 'ok' });
  });

  it('answers 503 naming the part that is down', async () => {
    const down = await createTestApp();
    await down.ctx.database.close();
    const res = await down.inject({ method: 'GET', url: '/ready/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toContain('database');
    expect(res.json().checks.database).toMatch(/^down/);
    await down.close().catch(() => {});
  });

  it('answers unknown routes with a problem+json 404 carrying the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nope/', headers: { 'x-request-id': 'req-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.json()).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found', request_id: 'req-123' });
  });

  it('serves an OpenAPI 3.1 document and the docs UI', async () => {
    const schema = await app.inject({ method: 'GET', url: '/api/schema/' });
    expect(schema.statusCode).toBe(200);
    expect(schema.json().openapi).toBe('3.1.0');
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect([200, 302]).toContain(docs.statusCode);
  });

  it('serves an OpenAPI document that validates against the OpenAPI 3.1 schema', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/schema/' })).json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const paths = Object.keys(document.paths);
    for (const path of [
      '/api/v1/auth/login/',
      '/api/v1/products/',
      '/api/v1/cart/',
      '/api/v1/orders/',
      '/api/v1/payments/webhook/',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('exposes Prometheus metrics', async () => {
    await app.inject({ method: 'GET', url: '/health/' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_request_duration_seconds_bucket');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('sets security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
