import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { requireStaff } from '../../src/core/auth.js';
import { Conflict } from '../../src/core/errors.js';
import { problemResponses } from '../../src/core/http.js';
import { PageQuery, pageRequest, toPage } from '../../src/core/pagination.js';
import { authHeader, makeUser } from '../factories/users.js';
import { useTestApp } from '../setup/test-app.js';

const { app } = useTestApp({
  beforeReady: (a) => {
    a.post(
      '/test/echo/',
      {
        schema: {
          body: Type.Object({
            email: Type.String({ format: 'email' }),
            quantity: Type.Integer({ minimum: 1 }),
            items: Type.Optional(Type.Array(Type.Object({ sku: Type.String({ minLength: 1 }) }))),
          }),
          response: { 200: Type.Object({ email: Type.String() }), ...problemResponses },
        },
      },
      async (request) => ({ email: request.body.email }),
    );
    a.get('/test/boom/', async () => {
      throw new Error('secret internal detail');
    });
    a.get('/test/conflict/', async () => {
      throw new Conflict('Already done.', 'already_done', { available: 3 });
    });
    a.get('/test/staff/', { preHandler: requireStaff }, async () => ({ ok: true }));
    a.get('/test/page/', { schema: { querystring: Type.Object(PageQuery) } }, async (request) => {
      const page = pageRequest(request.query);
      const all = Array.from({ length: 45 }, (_, i) => i);
      return toPage(request, page, all.length, all.slice(page.offset, page.offset + page.pageSize));
    });
  },
});

describe('problem+json errors', () => {
  it('reports every invalid field DRF-style', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo/',
      payload: { email: 'nope', quantity: 0, items: [{ sku: '' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 400,
      code: 'invalid',
      errors: {
        email: ['Enter a valid email address.'],
        quantity: ['Ensure this value is greater than or equal to 1.'],
        'items.0.sku': ['Ensure this field has at least 1 characters.'],
      },
    });
  });

  it('names missing fields as required', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo/', payload: {} });
    expect(res.json().errors).toEqual({ email: ['This field is required.'], quantity: ['This field is required.'] });
  });

  it('refuses NUL characters and infinite numbers on any route with field errors', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo/',
      payload: { email: 'a@b.com', quantity: '1e999', items: [{ sku: 'x\u0000' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toMatchObject({
      'items.0.sku': ['Null characters are not allowed.'],
      quantity: ['A valid number is required.'],
    });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo/',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
  });

  it('answers an unsupported content type with a 415 problem', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo/', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('hides internal errors behind a 500 problem with the request id and no stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom/' });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toMatchObject({ code: 'server_error', detail: 'A server error occurred.' });
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('at ');
  });

  it('renders domain errors with their code and extra members', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'already_done',
      detail: 'Already done.',
      available: 3,
      type: expect.stringContaining('already_done'),
    });
  });

  it('refuses a missing token with 401 and a customer on a staff route with 403', async () => {
    expect((await app.inject({ method: 'GET', url: '/test/staff/' })).statusCode).toBe(401);
    const customer = await makeUser(app);
    const res = await app.inject({ method: 'GET', url: '/test/staff/', headers: await authHeader(app, customer) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('permission_denied');
    const staff = await makeUser(app, { isStaff: true });
    expect((await app.inject({ method: 'GET', url: '/test/staff/', headers: await authHeader(app, staff) })).statusCode).toBe(
      200,
    );
  });
});

describe('page-number pagination', () => {
  it('links to the next page and not back from the first', async () => {
    const body = (await app.inject({ method: 'GET', url: '/test/page/?page_size=20', headers: { host: 'shop.test' } })).json();
    expect(body.count).toBe(45);
    expect(body.results).toHaveLength(20);
    expect(body.previous).toBeNull();
    expect(body.next).toBe('http://shop.test/test/page/?page_size=20&page=2');
  });

  it('ends at the last partial page', async () => {
    const body = (await app.inject({ method: 'GET', url: '/test/page/?page=3', headers: { host: 'shop.test' } })).json();
    expect(body.results).toEqual([40, 41, 42, 43, 44]);
    expect(body.next).toBeNull();
    expect(body.previous).toBe('http://shop.test/test/page/?page=2');
  });

  it('answers a page past the end with 404 Invalid page', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/page/?page=4' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toBe('Invalid page.');
  });

  it('clamps a page size over 100 and gives the default for 0 or junk, as DRF does', async () => {
    const big = await app.inject({ method: 'GET', url: '/test/page/?page_size=101' });
    expect(big.statusCode).toBe(200);
    expect(big.json().results).toHaveLength(45);
    for (const size of ['0', 'abc', '-5']) {
      const res = await app.inject({ method: 'GET', url: `/test/page/?page_size=${size}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().results).toHaveLength(20);
    }
  });
});
