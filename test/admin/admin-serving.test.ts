// The API serves the built admin at /admin/: deep links get the shell, hashed assets are immutable, the
// shell is never cached, and every admin response carries a strict CSP (no inline scripts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCsp, findAdminBuild } from '../../src/core/admin-ui.js';
import type { App } from '../../src/core/module.js';
import { createTestApp } from '../setup/test-app.js';
import { E2E_SETUP_TIMEOUT, ensureAdminBuilt } from './admin-harness.js';

let app: App;

beforeAll(async () => {
  ensureAdminBuilt();
  app = await createTestApp();
}, E2E_SETUP_TIMEOUT);
afterAll(async () => app?.close());

describe('admin UI serving', () => {
  it('serves the shell at /admin/ and for deep links, not cached, with a strict CSP', async () => {
    for (const url of [
      '/admin/',
      '/admin',
      '/admin/orders/3f1c1a9e-0000-4000-8000-000000000000/show',
      '/admin/products/create',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root"></div>');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('has no inline script in the shell: every script is a same-origin file under /admin/assets/', async () => {
    const html = (await app.inject({ url: '/admin/' })).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body?.trim()).toBe('');
      expect(attrs).toMatch(/src="\/admin\/assets\/[\w.-]+\.js"/);
    }
  });

  it('serves hashed assets as immutable for a year, and a missing asset is a 404', async () => {
    const dir = path.join(findAdminBuild() as string, 'assets');
    const asset = fs.readdirSync(dir).find((f) => f.endsWith('.js')) as string;
    const res = await app.inject({ url: `/admin/assets/${asset}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(res.headers['cache-control']).toMatch(/immutable/);
    expect(res.headers['content-security-policy']).toBeDefined();
    expect((await app.inject({ url: '/admin/assets/nope-123.js' })).statusCode).toBe(404);
  });

  it('leaves the API alone: no admin CSP on /api/ and the API docs keep working', async () => {
    const res = await app.inject({ url: '/api/v1/products/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect((await app.inject({ url: '/api/docs/' })).statusCode).toBeLessThan(400);
  });

  it('allows images from S3 public URLs in the CSP when media live there', () => {
    const config = { ...app.ctx.config, s3: { ...app.ctx.config.s3, publicUrl: 'https://cdn.example.com/media' } };
    expect(adminCsp(config)).toMatch(/img-src 'self' data: blob: [^;]*https:\/\/cdn\.example\.com/);
  });
});
