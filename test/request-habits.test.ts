// DRF request habits and CORS through the real app: bodyless and empty-JSON POSTs, form bodies, OPTIONS,
// ?format=json, page_size clamping, auth before validation on every staff route of the OpenAPI document.
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '../src/modules/accounts/accounts.tables.js';
import { makeProduct } from './factories/catalog.js';
import { SHIPPING_ADDRESS } from './factories/orders.js';
import { makePendingOrder } from './factories/payments.js';
import { authHeader, DEFAULT_PASSWORD, makeStaff, makeUser } from './factories/users.js';
import { useTestApp } from './setup/test-app.js';

let admin: Record<string, string>;
let customer: Record<string, string>;
const { app } = useTestApp();
beforeAll(async () => {
  admin = await authHeader(app, await makeUser(app, { isStaff: true, isSuperuser: true }));
  customer = await authHeader(app, await makeUser(app));
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
interface Operation {
  method: Method;
  path: string;
  permission?: string;
  summary: string;
  hasBody: boolean;
  multipart: boolean;
}

/** Every operation of the served OpenAPI document, so new routes are covered without editing this file. */
async function operations(): Promise<Operation[]> {
  const doc = (await app.inject({ method: 'GET', url: '/api/schema/' })).json() as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const result: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = (op.requestBody as { content?: Record<string, unknown> } | undefined)?.content ?? {};
      result.push({
        method: method.toUpperCase() as Method,
        path,
        permission: op['x-permission'] as string | undefined,
        summary: String(op.summary ?? ''),
        hasBody: Boolean(op.requestBody),
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return result;
}

/** A concrete URL for a path template: unknown uuids / slugs, so nothing real is touched. */
const urlOf = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'slug' ? 'no-such-slug' : '00000000-0000-4000-8000-000000000000'));

const isStaffRoute = (op: Operation) =>
  op.permission === 'staff' || op.permission === 'admin' || /^(staff|admin)\b/i.test(op.summary);

describe('authentication and permissions come before the body', () => {
  it('answers 401 to anonymous and 403 to customers on every staff route of the OpenAPI document, even with an invalid body', async () => {
    const staffOps = (await operations()).filter(isStaffRoute);
    expect(staffOps.length).toBeGreaterThan(20);
    expect(staffOps.map((op) => `${op.method} ${op.path}`)).toContain('PATCH /api/v1/users/{id}/');
    for (const op of staffOps) {
      const payload = op.method === 'GET' || op.method === 'DELETE' ? undefined : { price: 'not money', name: 42 };
      const anon = await app.inject({ method: op.method, url: urlOf(op.path), payload });
      expect(anon.statusCode, `${op.method} ${op.path} anonymous`).toBe(401);
      const asCustomer = await app.inject({ method: op.method, url: urlOf(op.path), payload, headers: customer });
      expect(asCustomer.statusCode, `${op.method} ${op.path} customer`).toBe(403);
    }
  });

  it('answers 401 before 400 on every user route, so anonymous callers learn nothing of the schema', async () => {
    const userOps = (await operations()).filter((op) => op.permission === 'user' && op.hasBody);
    expect(userOps.length).toBeGreaterThan(5);
    for (const op of userOps) {
      const res = await app.inject({ method: op.method, url: urlOf(op.path), payload: { quantity: 'many' } });
      expect(res.statusCode, `${op.method} ${op.path}`).toBe(401);
    }
  });

  it('checks the role before parsing the body: a customer posting broken JSON to a staff route gets 403', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/products/',
      headers: { ...customer, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('bodyless POSTs', () => {
  it('treat no body and an empty JSON body alike on every POST/PUT/PATCH route, never as "not a valid object"', async () => {
    for (const op of (await operations()).filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method) && !o.multipart)) {
      const url = urlOf(op.path);
      const none = await app.inject({ method: op.method, url, headers: admin });
      const empty = await app.inject({
        method: op.method,
        url,
        headers: { ...admin, 'content-type': 'application/json' },
        payload: '',
      });
      const label = `${op.method} ${op.path}`;
      expect(empty.statusCode, label).toBe(none.statusCode);
      for (const res of [none, empty]) {
        expect(res.statusCode, `${label}: ${res.body}`).not.toBe(500);
        // a file route (image upload) rightly wants multipart; every other route takes the empty body
        if (res.statusCode === 415) expect(res.json().detail, label).toContain('multipart/form-data');
        expect(res.json().errors?.non_field_errors, `${label}: ${res.body}`).toBeUndefined();
        expect(res.body, label).not.toContain('Body cannot be empty');
      }
    }
  });

  it('lets staff mark a payment paid with a bare POST, and a customer clear a cart and read all notifications', async () => {
    const buyer = await makeUser(app);
    const buyerHeaders = await authHeader(app, buyer);
    const order = await makePendingOrder(app, buyer);
    const intent = await app.inject({
      method: 'POST',
      url: '/api/v1/payments/create-intent/',
      headers: buyerHeaders,
      payload: { order_id: order.id },
    });
    const paymentId = intent.json().payment_id as string;
    const paid = await app.inject({ method: 'POST', url: `/api/v1/payments/${paymentId}/mark-paid/`, headers: admin });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json().status).toBe('succeeded');

    for (const url of ['/api/v1/cart/clear/', '/api/v1/notifications/read-all/']) {
      const res = await app.inject({ method: 'POST', url, headers: { ...buyerHeaders, 'content-type': 'application/json' } });
      expect(res.statusCode, url).toBeLessThan(300);
    }
  });

  it('gives a bodyless POST to a route with required fields the field errors, not a type error', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login/' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['email', 'password']);
  });
});

const form = (fields: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

function multipart(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = '----emporium-test-boundary';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  if (file) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n${file.content}\r\n`,
    );
  }
  return {
    payload: `${parts.join('')}--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('form bodies', () => {
  it('registers and logs in with form-encoded and multipart bodies', async () => {
    const email = `form-${Date.now()}@example.com`;
    const reg = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register/',
      headers: formHeaders,
      payload: form({ email, password: 'a-long-unusual-passphrase', first_name: 'Form' }),
    });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json().user).toMatchObject({ email, first_name: 'Form' });
    const user = await makeUser(app);
    const viaForm = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      headers: formHeaders,
      payload: form({ email: user.email, password: DEFAULT_PASSWORD }),
    });
    expect(viaForm.statusCode).toBe(200);
    expect(viaForm.json().access).toEqual(expect.any(String));
    const mp = multipart({ email: user.email, password: DEFAULT_PASSWORD });
    const viaMultipart = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...mp });
    expect(viaMultipart.statusCode).toBe(200);
  });

  it('adds to the cart and checks out with form bodies (numbers coerced as in JSON)', async () => {
    const buyer = await authHeader(app, await makeUser(app));
    const product = await makeProduct(app, { variants: [{ stockQuantity: 5 }] });
    const variantId = product.variants[0]?.id as string;
    const add = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers: { ...buyer, ...formHeaders },
      payload: form({ variant_id: variantId, quantity: 2 }),
    });
    expect(add.statusCode, add.body).toBe(201);
    expect(add.json().items[0]).toMatchObject({ quantity: 2 });
    const address = await app.inject({
      method: 'POST',
      url: '/api/v1/users/me/addresses/',
      headers: buyer,
      payload: SHIPPING_ADDRESS,
    });
    expect(address.statusCode, address.body).toBe(201);
    const order = await app.inject({
      method: 'POST',
      url: '/api/v1/orders/',
      headers: { ...buyer, ...formHeaders },
      payload: form({ shipping_address_id: address.json().id, notes: 'leave at the door' }),
    });
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json()).toMatchObject({ status: 'pending', items: [{ quantity: 2 }] });
  });

  it('answers an invalid form body with the same 400 field errors as the same JSON', async () => {
    const buyer = await authHeader(app, await makeUser(app));
    const fields = { variant_id: 'not-a-uuid', quantity: 'lots' };
    const asJson = await app.inject({ method: 'POST', url: '/api/v1/cart/items/', headers: buyer, payload: fields });
    const asForm = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers: { ...buyer, ...formHeaders },
      payload: form(fields),
    });
    const mp = multipart(fields);
    const asMultipart = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers: { ...buyer, ...mp.headers },
      payload: mp.payload,
    });
    expect(asJson.statusCode).toBe(400);
    for (const res of [asForm, asMultipart]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual(asJson.json().errors);
    }
    const reg = { email: 'not-an-email', password: 'x' };
    const regJson = await app.inject({ method: 'POST', url: '/api/v1/auth/register/', payload: reg });
    const regForm = await app.inject({ method: 'POST', url: '/api/v1/auth/register/', headers: formHeaders, payload: form(reg) });
    expect(regForm.statusCode).toBe(400);
    expect(regForm.json().errors).toEqual(regJson.json().errors);
  });

  it('refuses a file where no file belongs, and a JSON body on the image upload (415)', async () => {
    const user = await makeUser(app);
    const withFile = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      ...multipart({ email: user.email, password: DEFAULT_PASSWORD }, { name: 'avatar', content: 'hello' }),
    });
    expect(withFile.statusCode).toBe(400);
    expect(withFile.json().errors.avatar).toEqual(['File uploads are not accepted here.']);
    const product = await makeProduct(app);
    const json = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/images/`,
      headers: admin,
      payload: { alt_text: 'x' },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('unsupported_media_type');
    const urlencoded = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/images/`,
      headers: { ...admin, ...formHeaders },
      payload: form({ alt_text: 'x' }),
    });
    expect(urlencoded.statusCode).toBe(415);
  });
});

describe('CORS', () => {
  it('lets a preflight from another origin through for every method and the headers clients send, for two hours', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/cart/items/00000000-0000-4000-8000-000000000000/',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type,idempotency-key,x-cart-token,if-none-match,x-request-id',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    for (const header of ['authorization', 'content-type', 'idempotency-key', 'x-cart-token', 'if-none-match', 'x-request-id']) {
      expect(allowed).toContain(header);
    }
    expect(res.headers['access-control-max-age']).toBe('7200');
  });

  it('exposes the response headers clients must read', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: { origin: 'https://shop.example.com' } });
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/);
    for (const header of [
      'x-cart-token',
      'etag',
      'retry-after',
      'x-request-id',
      'location',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ]) {
      expect(exposed).toContain(header);
    }
    expect(res.headers['x-cart-token']).toBe(res.json().cart_token);
  });
});

describe('OPTIONS, ?format=json', () => {
  it('answers OPTIONS without CORS preflight headers with 200 and Allow, as DRF does', async () => {
    const me = await app.inject({ method: 'OPTIONS', url: '/api/v1/users/me/' });
    expect(me.statusCode).toBe(200);
    expect(me.headers.allow).toBe('GET, PATCH, HEAD, OPTIONS');
    expect(me.json()).toMatchObject({ renders: ['application/json'], parses: expect.arrayContaining(['multipart/form-data']) });
    const item = await app.inject({ method: 'OPTIONS', url: '/api/v1/cart/items/00000000-0000-4000-8000-000000000000/' });
    expect(item.headers.allow).toBe('PUT, PATCH, DELETE, OPTIONS');
    const byId = await app.inject({ method: 'OPTIONS', url: '/api/v1/users/00000000-0000-4000-8000-000000000000' });
    expect(byId.headers.allow).toBe('GET, PATCH, HEAD, OPTIONS');
    expect((await app.inject({ method: 'OPTIONS', url: '/api/v1/no-such-thing/' })).statusCode).toBe(404);
  });

  it('accepts and ignores ?format=json', async () => {
    await makeProduct(app);
    const list = await app.inject({ method: 'GET', url: '/api/v1/products/?format=json' });
    expect(list.statusCode).toBe(200);
    expect(list.json().count).toBeGreaterThan(0);
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me/?format=json', headers: customer });
    expect(me.statusCode).toBe(200);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/?format=json',
      payload: { email: 'x@example.com', password: 'nope' },
    });
    expect(login.statusCode).toBe(401);
  });
});

describe('page_size, as DRF', () => {
  it('clamps page_size above the maximum to it, and gives the default for 0, negative or junk', async () => {
    const staff = await authHeader(app, await makeStaff(app));
    await app.ctx.db
      .insert(users)
      .values(Array.from({ length: 105 }, (_, i) => ({ email: `zz-page-${i}@example.com`, passwordHash: 'x' })));
    const sizeOf = async (query: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/users/?search=zz-page-&${query}`, headers: staff });
      expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
      return res.json().results.length as number;
    };
    expect(await sizeOf('page_size=1000')).toBe(100);
    expect(await sizeOf('page_size=0')).toBe(20);
    expect(await sizeOf('page_size=-3')).toBe(20);
    expect(await sizeOf('page_size=lots')).toBe(20);
    expect(await sizeOf('page_size=7')).toBe(7);
    const next = (
      await app.inject({ method: 'GET', url: '/api/v1/users/?search=zz-page-&page_size=1000', headers: staff })
    ).json().next;
    expect(next).toContain('page=2');
  });

  it('clamps on public lists too (products)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=1000' });
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/?page_size=0' })).statusCode).toBe(200);
  });
});
