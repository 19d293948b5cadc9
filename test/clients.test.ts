// clients/: the committed OpenAPI document, typed client types and Postman collection match the API as it is
// now (regenerated in memory; `npm run client:generate` refreshes them), the typed client drives a real
// purchase against a listening server, and newman runs the Postman collection's public requests and auth flow.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import newman from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFiles, POSTMAN_FILE } from '../clients/generate.js';
import type { PostmanCollection } from '../clients/postman.js';
import { createEmporiumClient } from '../clients/typescript/src/index.js';
import type { App } from '../src/core/module.js';
import { makeCategory, makeProduct } from './factories/catalog.js';
import { SHIPPING_ADDRESS } from './factories/orders.js';
import { createTestApp } from './setup/test-app.js';

const root = path.resolve(import.meta.dirname, '..');

describe('generated client files', () => {
  it('are up to date with the API (run `npm run client:generate` when this fails)', async () => {
    const files = await clientFiles();
    expect(Object.keys(files).length).toBe(3);
    for (const [file, content] of Object.entries(files)) {
      const committed = fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : '';
      // compared by equality, not toEqual, so a stale file fails with one line instead of a 400 KiB diff
      expect(committed === content, `${file} is out of date: run \`npm run client:generate\``).toBe(true);
    }
  }, 120_000);
});

let app: App;
let baseUrl: string;
let productSlug: string;
let variantId: string;

beforeAll(async () => {
  app = await createTestApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const category = await makeCategory(app);
  const product = await makeProduct(app, { categoryId: category.id, variants: [{ stockQuantity: 3 }] });
  productSlug = product.slug;
  variantId = product.variants[0]?.id ?? '';
});
afterAll(async () => {
  await app?.close();
});

describe('typed TypeScript client against a listening server', () => {
  it('registers, logs in, fills the cart, checks out with an inline address and reads the order', async () => {
    let access: string | undefined;
    const api = createEmporiumClient({ baseUrl, accessToken: () => access });
    const email = `client-${Date.now()}@example.com`;

    const registered = await api.POST('/api/v1/auth/register/', {
      body: { email, password: 'typed-client-otter', first_name: 'Tia', last_name: 'Typed' },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.user.email).toBe(email);

    const login = await api.POST('/api/v1/auth/login/', { body: { email, password: 'typed-client-otter' } });
    expect(login.response.status).toBe(200);
    access = login.data?.access;
    expect(access).toBeTruthy();

    const added = await api.POST('/api/v1/cart/items/', { body: { variant_id: variantId, quantity: 2 } });
    expect(added.response.status, JSON.stringify(added.error)).toBe(201);

    const placed = await api.POST('/api/v1/orders/', {
      params: { header: { 'idempotency-key': `client-test-${Date.now()}` } },
      body: { shipping_address: SHIPPING_ADDRESS },
    });
    expect(placed.response.status, JSON.stringify(placed.error)).toBe(201);
    const orderId = placed.data?.id ?? '';

    const order = await api.GET('/api/v1/orders/{id}/', { params: { path: { id: orderId } } });
    expect(order.response.status).toBe(200);
    expect(order.data).toMatchObject({ id: orderId, status: 'pending', shipping_address: { city: SHIPPING_ADDRESS.city } });
    expect(order.data?.items).toHaveLength(1);
    expect(order.data?.items[0]).toMatchObject({ quantity: 2 });
  });

  it('gives the problem body as a typed error, and sends no token when there is none', async () => {
    const api = createEmporiumClient({ baseUrl });
    const me = await api.GET('/api/v1/users/me/');
    expect(me.response.status).toBe(401);
    expect(me.data).toBeUndefined();
    expect(me.error).toMatchObject({ status: 401 });
  });
});

/** The generated collection's requests for the given "METHOD /path/" keys, in that order, each checking a 2xx. */
function publicFlow(collection: PostmanCollection, keys: string[]): PostmanCollection {
  const requests = new Map<string, PostmanCollection['item'][number]>();
  const walk = (items: PostmanCollection['item']) => {
    for (const item of items) {
      if (item.item) walk(item.item);
      else if (item.request) requests.set(`${item.request.method} /${(item.request.url.path ?? []).join('/')}`, item);
    }
  };
  walk(collection.item);
  const item = keys.map((key) => {
    const found = requests.get(key);
    if (!found) throw new Error(`no request ${key} in the collection`);
    const check = {
      listen: 'test' as const,
      script: { type: 'text/javascript' as const, exec: ["pm.test('2xx', () => pm.response.to.be.success);"] },
    };
    return { ...found, name: key, event: [...(found.event ?? []), check] };
  });
  return { ...collection, item };
}

describe('Postman collection through newman', () => {
  it('runs the public requests and the scripted register -> login -> bearer flow without failures', async () => {
    const collection = JSON.parse(fs.readFileSync(path.join(root, POSTMAN_FILE), 'utf8')) as PostmanCollection;
    const flow = publicFlow(collection, [
      'GET /health/',
      'GET /ready/',
      'GET /api/v1/products/categories/',
      'GET /api/v1/products/categories/:slug/',
      'GET /api/v1/products/',
      'GET /api/v1/products/:slug/',
      'GET /api/v1/products/:slug/reviews/',
      'POST /api/v1/auth/register/',
      'POST /api/v1/auth/login/',
      'GET /api/v1/users/me/',
      'POST /api/v1/auth/token/refresh/',
    ]);
    const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) => {
      newman.run(
        { collection: flow as never, envVar: [{ key: 'baseUrl', value: baseUrl }], reporters: [], timeoutRequest: 10_000 },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    const failures = summary.run.failures.map((f) => `${f.source?.name}: ${f.error.message}`);
    expect(failures).toEqual([]);
    const executions = summary.run.executions;
    expect(executions).toHaveLength(11);
    // the slug the products list stored was used by the detail request
    const detail = executions.find((e) => e.item.name === 'GET /api/v1/products/:slug/');
    expect(detail?.request.url.toString()).toContain(`/api/v1/products/${productSlug}/`);
    // login stored the token and the protected request sent it: /users/me/ answered for the new account
    const me = executions.find((e) => e.item.name === 'GET /api/v1/users/me/');
    expect(me?.response.code).toBe(200);
    expect(JSON.parse(me?.response.stream?.toString() ?? '{}').email).toMatch(/^postman-.*@example\.com$/);
    expect(me?.request.headers.get('Authorization')).toMatch(/^Bearer ey/);
  }, 60_000);
});
