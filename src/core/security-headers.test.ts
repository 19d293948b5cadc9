// helmet's security headers on every response (JSON, problems, the docs), computed once instead of per request.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/setup/test-app.js';
import { helmetHeaders } from './security-headers.js';

const { app } = useTestApp();

const EXPECTED = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
  'origin-agent-cluster': '?1',
};

describe('security headers', () => {
  it("are helmet's own set without a content security policy", () => {
    const headers = helmetHeaders({ contentSecurityPolicy: false });
    expect(headers).toMatchObject(EXPECTED);
    expect(headers).not.toHaveProperty('content-security-policy');
  });

  it.each([
    ['a JSON read', '/api/v1/products/', 200],
    ['a problem', '/api/v1/products/no-such-product/', 404],
    ['an unknown path', '/nowhere/', 404],
    ['the health check', '/health/', 200],
  ])('are on %s', async (_what, url, status) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers).toMatchObject(EXPECTED);
    expect(res.headers).not.toHaveProperty('content-security-policy');
  });
});
