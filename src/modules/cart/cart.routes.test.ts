import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { addToCart } from '../../../test/factories/orders.js';
import { authHeader, DEFAULT_PASSWORD, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { runJob } from '../../../test/support/jobs.js';
import { hashToken } from '../../core/auth.js';
import { products, productVariants } from '../catalog/catalog.tables.js';
import { mergeGuestCart } from './cart.service.js';
import { carts } from './cart.tables.js';

const { app } = useTestApp();

async function guestCart() {
  const res = await app.inject({ method: 'GET', url: '/api/v1/cart/' });
  expect(res.statusCode).toBe(200);
  const token = res.json().cart_token as string;
  return { token, headers: { 'x-cart-token': token } };
}

describe('guest carts', () => {
  it('creates a guest cart with a token and stores only its hash', async () => {
    const { token } = await guestCart();
    expect(token).toMatch(/^[\w-]{30,}$/);
    const rows = await app.ctx.db.select().from(carts);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.filter((r) => r.tokenHash !== null).length).toBeGreaterThan(0);
  });

  it('finds the same cart again with X-Cart-Token', async () => {
    const { token, headers } = await guestCart();
    const product = await makeProduct(app);
    await addToCart(app, headers, product.variants[0]!.id, 2);
    const res = await app.inject({ method: 'GET', url: '/api/v1/cart/', headers });
    expect(res.json()).toMatchObject({ cart_token: token, total_items: 2, subtotal: '39.98', currency: 'USD' });
  });

  it('answers 404 for an unknown cart token', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: { 'x-cart-token': 'x'.repeat(43) } });
    expect(res.statusCode).toBe(404);
  });

  it('answers 404 for an item of another cart', async () => {
    const a = await guestCart();
    const b = await guestCart();
    const product = await makeProduct(app);
    const cart = await addToCart(app, a.headers, product.variants[0]!.id);
    const itemId = cart.items[0].id;
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/cart/items/${itemId}/`,
      headers: b.headers,
      payload: { quantity: 2 },
    });
    expect(patch.statusCode).toBe(404);
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/cart/items/${itemId}/`, headers: b.headers });
    expect(del.statusCode).toBe(404);
  });

  it('expires guest carts untouched for longer than GUEST_CART_TTL', async () => {
    const stale = await guestCart();
    const fresh = await guestCart();
    await app.ctx.db.execute(
      sql`UPDATE carts SET updated_at = now() - interval '31 days' WHERE token_hash = ${hashToken(stale.token)}`,
    );
    await runJob(app, 'cart.expire_guest_carts');
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: stale.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: fresh.headers })).statusCode).toBe(200);
  });
});

describe('cart items', () => {
  it('adds by product_id when the product has a single variant', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { price: 1250 });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers,
      payload: { product_id: product.id, quantity: 3 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ total_items: 3, subtotal: '37.50' });
    expect(res.json().items[0]).toMatchObject({
      quantity: 3,
      unit_price: '12.50',
      line_total: '37.50',
      variant: { id: product.variants[0]!.id },
    });
  });

  it('asks for a variant when the product has several', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { variants: [{}, {}] });
    const res = await app.inject({ method: 'POST', url: '/api/v1/cart/items/', headers, payload: { product_id: product.id } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.variant_id).toBeDefined();
  });

  it('sums quantities when the same variant is added twice', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app);
    await addToCart(app, headers, product.variants[0]!.id, 2);
    const cart = await addToCart(app, headers, product.variants[0]!.id, 3);
    expect(cart.items).toHaveLength(1);
    expect(cart.items[0].quantity).toBe(5);
  });

  it('uses the variant price over the product price', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { price: 1000, variants: [{ price: 1500 }] });
    const cart = await addToCart(app, headers, product.variants[0]!.id, 2);
    expect(cart.subtotal).toBe('30.00');
  });

  it('refuses more than the stock with 409 and the available quantity', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { variants: [{ stockQuantity: 3 }] });
    await addToCart(app, headers, product.variants[0]!.id, 2);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers,
      payload: { variant_id: product.variants[0]!.id, quantity: 2 },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'out_of_stock', available: 3 });
    const cart = await app.inject({ method: 'GET', url: '/api/v1/cart/', headers });
    expect(cart.json().items[0].quantity).toBe(2);
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['10^9', 1_000_000_000],
    ['non-integer', 1.5],
    ['a word', 'many'],
    // Ajv coerces these strings to Infinity and then skips maximum (ajv#2212); the input guard refuses them
    ['overflowing', '1e999'],
    ['infinite', 'Infinity'],
  ])('refuses a %s quantity with a field error', async (_name, quantity) => {
    const { headers } = await guestCart();
    const product = await makeProduct(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers,
      payload: { variant_id: product.variants[0]!.id, quantity },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.quantity).toBeDefined();
  });

  it('refuses an unknown variant with a field error', async () => {
    const { headers } = await guestCart();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers,
      payload: { variant_id: '00000000-0000-4000-8000-000000000000', quantity: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.variant_id[0]).toContain('does not exist');
  });

  it('refuses an inactive product as unknown', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { isActive: false });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cart/items/',
      headers,
      payload: { variant_id: product.variants[0]!.id },
    });
    expect(res.statusCode).toBe(400);
  });

  it('updates a quantity, checking the stock', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { variants: [{ stockQuantity: 5 }] });
    const cart = await addToCart(app, headers, product.variants[0]!.id);
    const url = `/api/v1/cart/items/${cart.items[0].id}/`;
    const ok = await app.inject({ method: 'PATCH', url, headers, payload: { quantity: 5 } });
    expect(ok.json().items[0].quantity).toBe(5);
    const tooMany = await app.inject({ method: 'PUT', url, headers, payload: { quantity: 6 } });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().available).toBe(5);
    const zero = await app.inject({ method: 'PATCH', url, headers, payload: { quantity: 0 } });
    expect(zero.statusCode).toBe(400);
  });

  it('removes an item and clears the cart', async () => {
    const { headers } = await guestCart();
    const a = await makeProduct(app);
    const b = await makeProduct(app);
    await addToCart(app, headers, a.variants[0]!.id);
    const cart = await addToCart(app, headers, b.variants[0]!.id);
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/cart/items/${cart.items[0].id}/`, headers });
    expect(del.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json().items).toHaveLength(1);
    const cleared = await app.inject({ method: 'POST', url: '/api/v1/cart/clear/', headers });
    expect(cleared.json()).toMatchObject({ items: [], total_items: 0, subtotal: '0.00' });
  });

  it('keeps the price seen at add time and flags a price change', async () => {
    const { headers } = await guestCart();
    const product = await makeProduct(app, { price: 1000 });
    await addToCart(app, headers, product.variants[0]!.id);
    await app.ctx.db.update(products).set({ price: 1200 }).where(eq(products.id, product.id));
    const item = (await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json().items[0];
    expect(item).toMatchObject({ price_at_add: '10.00', unit_price: '12.00', price_changed: true });
  });
});

describe('user carts', () => {
  it('gives a logged-in user one cart without a token', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const first = (await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json();
    const second = (await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json();
    expect(first.cart_token).toBeNull();
    expect(second.id).toBe(first.id);
  });

  it('answers 404 for another user’s cart item', async () => {
    const owner = await makeUser(app);
    const other = await makeUser(app);
    const product = await makeProduct(app);
    const cart = await addToCart(app, await authHeader(app, owner), product.variants[0]!.id);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/cart/items/${cart.items[0].id}/`,
      headers: await authHeader(app, other),
      payload: { quantity: 2 },
    });
    expect(res.statusCode).toBe(404);
  });

  it('merges a guest cart at login, summing quantities capped by stock', async () => {
    const user = await makeUser(app);
    const headers = await authHeader(app, user);
    const capped = await makeProduct(app, { variants: [{ stockQuantity: 4 }] });
    const extra = await makeProduct(app);
    await addToCart(app, headers, capped.variants[0]!.id, 3);
    const guest = await guestCart();
    await addToCart(app, guest.headers, capped.variants[0]!.id, 3);
    await addToCart(app, guest.headers, extra.variants[0]!.id, 2);

    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      headers: guest.headers,
      payload: { email: user.email, password: DEFAULT_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cart = (await app.inject({ method: 'GET', url: '/api/v1/cart/', headers })).json();
    const byVariant = Object.fromEntries(
      cart.items.map((i: { variant: { id: string }; quantity: number }) => [i.variant.id, i.quantity]),
    );
    expect(byVariant).toEqual({ [capped.variants[0]!.id]: 4, [extra.variants[0]!.id]: 2 });
    expect((await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: guest.headers })).statusCode).toBe(404);
  });

  it('ignores an unknown token when merging', async () => {
    const user = await makeUser(app);
    await expect(mergeGuestCart(app.ctx, 'no-such-token-000000000000', user.id)).resolves.toBeUndefined();
  });

  it('drops merged lines whose variant is out of stock', async () => {
    const user = await makeUser(app);
    const product = await makeProduct(app);
    const guest = await guestCart();
    await addToCart(app, guest.headers, product.variants[0]!.id, 2);
    await app.ctx.db.update(productVariants).set({ stockQuantity: 0 }).where(eq(productVariants.id, product.variants[0]!.id));
    await mergeGuestCart(app.ctx, guest.token, user.id);
    const cart = (await app.inject({ method: 'GET', url: '/api/v1/cart/', headers: await authHeader(app, user) })).json();
    expect(cart.items).toHaveLength(0);
  });
});
