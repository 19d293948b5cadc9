// The data provider's translation between react-admin and the DRF-style API: pages, ordering, filters,
// field errors, products by slug, and the auth client's refresh before expiry / sign-out on refresh failure.
import { describe, expect, it } from 'vitest';
import { createAuthProvider, NO_STAFF_ACCESS } from './authProvider';
import { createDataProvider, flattenTree, listQuery } from './dataProvider';
import { createApiClient, memorySessionStore, problemToHttpError, type Session } from './http';

type Call = { url: string; method: string; headers: Headers; body: unknown };

function jwt(exp: number) {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ exp })}.sig`;
}

const now = 1_800_000_000;
const session = (exp = now + 900): Session => ({
  access: jwt(exp),
  refresh: 'refresh-1',
  user: { id: 'u1', email: 'staff@example.com', first_name: 'S', last_name: 'T', is_staff: true },
  role: 'staff',
});

/** A fake `fetch` answering from a list of [matcher, status, json] and recording every call. */
function fakeApi(routes: Array<[RegExp, number, unknown]>, initial: Session | undefined = session()) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const method = init.method ?? 'GET';
    calls.push({ url, method, headers: new Headers(init.headers), body });
    const route = routes.find(([re]) => re.test(`${method} ${url}`));
    if (!route) return new Response(JSON.stringify({ status: 404, title: 'Not Found' }), { status: 404 });
    const [, status, json] = route;
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(status === 204 ? null : JSON.stringify(json), { status, headers: { 'content-type': type } });
  };
  const sessions = memorySessionStore(initial);
  const api = createApiClient({ fetch: fetch as typeof globalThis.fetch, sessions, now: () => now });
  return { calls, api, sessions, provider: createDataProvider(api) };
}

const page = (results: unknown[], count = results.length) => ({ count, next: null, previous: null, results });

describe('list translation', () => {
  it('turns pagination, sort and filters into page, page_size, ordering and query parameters', () => {
    const query = listQuery('orders', {
      pagination: { page: 3, perPage: 25 },
      sort: { field: 'total', order: 'DESC' },
      filter: { status: 'paid', email: 'ann@', created_after: '2026-12-01', empty: '' },
    });
    expect(query).toEqual({ all: true, page: 3, page_size: 25, ordering: '-total', status: 'paid', email: 'ann@', created_after: '2026-12-01' });
  });

  it('sends ASC sorts without a minus, maps q to search and drops orderings the API does not know', () => {
    expect(listQuery('products', { sort: { field: 'name', order: 'ASC' }, filter: { q: 'lamp' } })).toMatchObject({
      ordering: 'name',
      search: 'lamp',
      include_inactive: true,
    });
    expect(listQuery('products', { sort: { field: 'stock_quantity', order: 'ASC' } }).ordering).toBeUndefined();
    expect(listQuery('products', { sort: { field: 'id', order: 'ASC' } }).ordering).toBeUndefined();
  });

  it('reads {count, results} into {data, total} and keys products by slug', async () => {
    const { provider, calls } = fakeApi([[/GET \/api\/v1\/products\/\?/, 200, page([{ id: 'uuid-1', slug: 'lamp', category: { slug: 'home' } }], 41)]]);
    const result = await provider.getList('products', {
      pagination: { page: 2, perPage: 20 },
      sort: { field: 'created_at', order: 'DESC' },
      filter: { is_featured: true },
    });
    expect(result.total).toBe(41);
    expect(result.data[0]).toMatchObject({ id: 'lamp', uuid: 'uuid-1', category_slug: 'home' });
    const url = new URL(calls[0]?.url as string, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      include_inactive: 'true',
      page: '2',
      page_size: '20',
      ordering: '-created_at',
      is_featured: 'true',
    });
    expect(calls[0]?.headers.get('authorization')).toMatch(/^Bearer /);
  });

  it('getManyReference filters by the target (payments of an order)', async () => {
    const { provider, calls } = fakeApi([[/GET \/api\/v1\/payments\//, 200, page([{ id: 'p1' }])]]);
    await provider.getManyReference('payments', {
      target: 'order',
      id: 'o-1',
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'id', order: 'ASC' },
      filter: {},
    });
    expect(calls[0]?.url).toBe('/api/v1/payments/?page=1&page_size=10&order=o-1');
  });

  it('lists a nested collection under its parent: a customer\'s addresses at /users/{id}/addresses/', async () => {
    const { provider, calls } = fakeApi([[/GET \/api\/v1\/users\/u-7\/addresses\//, 200, page([{ id: 'a1', city: 'Lyon' }], 1)]]);
    const result = await provider.getManyReference('addresses', {
      target: 'user',
      id: 'u-7',
      pagination: { page: 1, perPage: 25 },
      sort: { field: 'id', order: 'ASC' },
      filter: {},
    });
    expect(calls[0]?.url).toBe('/api/v1/users/u-7/addresses/?page=1&page_size=25');
    expect(result).toEqual({ data: [{ id: 'a1', city: 'Lyon' }], total: 1 });
  });

  it('flattens the category tree in display order with depth and parent slug', () => {
    const rows = flattenTree([
      { id: 'a', slug: 'home', name: 'Home', children: [{ id: 'b', slug: 'lamps', name: 'Lamps', children: [] }] },
      { id: 'c', slug: 'toys', name: 'Toys', children: [] },
    ]);
    expect(rows.map((r) => [r.id, r.uuid, r.depth, r.parent_slug])).toEqual([
      ['home', 'a', 0, null],
      ['lamps', 'b', 1, 'home'],
      ['toys', 'c', 0, null],
    ]);
  });
});

describe('writes', () => {
  it('updates a product by slug with only the changed fields, then syncs variants (create, patch, delete)', async () => {
    const { provider, calls } = fakeApi([
      [/PATCH \/api\/v1\/products\/lamp\/$/, 200, { id: 'u', slug: 'lamp' }],
      [/POST \/api\/v1\/products\/lamp\/variants\/$/, 201, {}],
      [/PATCH \/api\/v1\/products\/lamp\/variants\/v1\/$/, 200, {}],
      [/DELETE \/api\/v1\/products\/lamp\/variants\/v2\/$/, 204, null],
      [/GET \/api\/v1\/products\/lamp\/$/, 200, { id: 'u', slug: 'lamp' }],
    ]);
    const previous = {
      id: 'lamp',
      name: 'Lamp',
      price: '10.00',
      category_slug: null,
      variants: [
        { id: 'v1', sku: 'L-1', price_override: null, stock_quantity: 1 },
        { id: 'v2', sku: 'L-2', price_override: null, stock_quantity: 1 },
      ],
    };
    await provider.update('products', {
      id: 'lamp',
      previousData: previous,
      data: {
        ...previous,
        price: '12.00',
        category_slug: 'home',
        variants: [{ ...previous.variants[0], stock_quantity: 5 }, { sku: 'L-3', price_override: '15.00', stock_quantity: 2 }],
      },
    });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'PATCH /api/v1/products/lamp/',
      'PATCH /api/v1/products/lamp/variants/v1/',
      'POST /api/v1/products/lamp/variants/',
      'DELETE /api/v1/products/lamp/variants/v2/',
      'GET /api/v1/products/lamp/',
    ]);
    expect(calls[0]?.body).toEqual({ price: '12.00', category: 'home' });
    expect(calls[1]?.body).toEqual({ stock_quantity: 5 });
    expect(calls[2]?.body).toEqual({ sku: 'L-3', price: '15.00', stock_quantity: 2 });
  });

  it('maps problem+json field errors to {errors: {field: message}} for the form', async () => {
    const problem = {
      type: 'x',
      title: 'Bad Request',
      status: 400,
      detail: 'Invalid input.',
      code: 'invalid',
      errors: { price: ['Invalid format.', 'Not a valid number.'], slug: ['product with this slug already exists.'] },
    };
    const { provider } = fakeApi([[/POST \/api\/v1\/products\/$/, 400, problem]]);
    const error = await provider.create('products', { data: { name: 'x', price: 'abc' } }).catch((e) => e);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid input.');
    expect(error.body.errors).toEqual({ price: 'Invalid format. Not a valid number.', slug: 'product with this slug already exists.' });
    expect(error.body.code).toBe('invalid');
  });

  it('keeps a report-style error body (CSV import rows) as it is', () => {
    const error = problemToHttpError(400, { detail: 'Fix the rows', errors: [{ row: 3, field: 'price', message: 'bad' }] as never });
    expect(error.body.errors).toEqual([{ row: 3, field: 'price', message: 'bad' }]);
  });

  it('sends the refund Idempotency-Key header and the bulk action with product ids, not slugs', async () => {
    const { provider, calls } = fakeApi([
      [/POST \/api\/v1\/payments\/p1\/refund\/$/, 201, { id: 'r1' }],
      [/GET \/api\/v1\/products\/\?/, 200, page([{ id: 'uuid-a', slug: 'a' }])],
      [/GET \/api\/v1\/products\/b\/$/, 200, { id: 'uuid-b', slug: 'b' }],
      [/POST \/api\/v1\/admin\/products\/bulk\/$/, 200, { updated: 2 }],
    ]);
    await provider.refund('p1', { amount: '5.00' }, 'key-123');
    expect(calls[0]?.headers.get('idempotency-key')).toBe('key-123');
    await provider.getList('products', { pagination: { page: 1, perPage: 10 }, sort: { field: 'id', order: 'ASC' }, filter: {} });
    await provider.bulkProducts(['a', 'b'], 'unpublish');
    expect(calls.at(-1)?.body).toEqual({ ids: ['uuid-a', 'uuid-b'], action: 'unpublish' });
  });
});

describe('auth', () => {
  it('refreshes the access token shortly before it expires and keeps the rotated refresh token', async () => {
    const fresh = jwt(now + 900);
    const { api, sessions, calls } = fakeApi(
      [
        [/POST \/api\/v1\/auth\/token\/refresh\/$/, 200, { access: fresh, refresh: 'refresh-2' }],
        [/GET \/api\/v1\/coupons\//, 200, page([])],
      ],
      session(now + 30),
    );
    await createDataProvider(api).getList('coupons', { pagination: { page: 1, perPage: 5 }, sort: { field: 'id', order: 'ASC' }, filter: {} });
    expect(calls[0]?.body).toEqual({ refresh: 'refresh-1' });
    expect(calls[1]?.headers.get('authorization')).toBe(`Bearer ${fresh}`);
    expect(sessions.get()?.refresh).toBe('refresh-2');
  });

  it('signs out when the refresh fails', async () => {
    const { api, sessions } = fakeApi([[/token\/refresh/, 401, { status: 401, code: 'token_not_valid' }]], session(now - 5));
    const error = await createDataProvider(api).getOne('coupons', { id: 'c1' }).catch((e) => e);
    expect(error.status).toBe(401);
    expect(sessions.get()).toBeUndefined();
    await expect(createAuthProvider(api).checkAuth({})).rejects.toBeDefined();
  });

  it('refuses a customer with a clear message and keeps no session; lets staff in', async () => {
    const customer = { ...session().user, is_staff: false };
    const { api, sessions } = fakeApi([
      [/POST \/api\/v1\/auth\/login\/$/, 200, { access: jwt(now + 900), refresh: 'r', user: customer }],
      [/POST \/api\/v1\/auth\/logout\/$/, 204, null],
    ]);
    sessions.set(undefined);
    await expect(createAuthProvider(api).login({ username: 'c@example.com', password: 'pw' })).rejects.toThrow(NO_STAFF_ACCESS);
    expect(sessions.get()).toBeUndefined();

    const staff = fakeApi([
      [/POST \/api\/v1\/auth\/login\/$/, 200, { access: jwt(now + 900), refresh: 'r', user: { ...customer, is_staff: true, is_superuser: true } }],
    ]);
    staff.sessions.set(undefined);
    await createAuthProvider(staff.api).login({ username: 's@example.com', password: 'pw' });
    expect(staff.sessions.get()?.role).toBe('admin');
  });
});
