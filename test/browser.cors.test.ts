/// <reference lib="dom" />
// A storefront on another origin, in headless Chromium: it changes and removes cart items with X-Cart-Token
// (preflighted PATCH/DELETE), reads the exposed headers, and shows a product image served from /media/.
// A page from an origin not in CORS_ORIGINS is refused by the browser.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/core/module.js';
import { makeProduct } from './factories/catalog.js';
import { authHeader, makeStaff } from './factories/users.js';
import { createTestApp } from './setup/test-app.js';
import { chromiumAvailable, launchBrowser, type PageServer, servePage } from './support/browser.js';

const PAGE = '<!doctype html><html><head><title>storefront</title></head><body>storefront</body></html>';

let app: App;
let api: string;
let browser: Browser;
let storefront: PageServer;
let stranger: PageServer;

beforeAll(async () => {
  storefront = await servePage(PAGE);
  stranger = await servePage(PAGE);
  app = await createTestApp({ env: { CORS_ORIGINS: `${storefront.origin},https://shop.example.com` } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  if (chromiumAvailable) browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app.close();
  await storefront.close();
  await stranger.close();
});

/** Runs the cart round trip inside a page of `origin`; returns what the page saw (or the error it got). */
async function cartRoundTrip(origin: string, variantId: string) {
  const page = await browser.newPage();
  try {
    await page.goto(origin);
    return await page.evaluate(
      async ({ api, variantId }) => {
        const json = { 'content-type': 'application/json' };
        try {
          const created = await fetch(`${api}/api/v1/cart/`);
          const token = created.headers.get('x-cart-token') ?? '';
          const added = await fetch(`${api}/api/v1/cart/items/`, {
            method: 'POST',
            headers: { ...json, 'x-cart-token': token },
            body: JSON.stringify({ variant_id: variantId, quantity: 1 }),
          });
          const itemId = ((await added.json()) as { items: { id: string }[] }).items[0]?.id as string;
          const patched = await fetch(`${api}/api/v1/cart/items/${itemId}/`, {
            method: 'PATCH',
            headers: { ...json, 'x-cart-token': token, 'x-request-id': 'storefront-req-1', 'idempotency-key': 'k-1' },
            body: JSON.stringify({ quantity: 3 }),
          });
          const patchedBody = (await patched.json()) as { cart_token: string; items: { quantity: number }[] };
          const deleted = await fetch(`${api}/api/v1/cart/items/${itemId}/`, {
            method: 'DELETE',
            headers: { 'x-cart-token': token },
          });
          const product = await fetch(`${api}/api/v1/products/`);
          return {
            ok: true,
            token,
            bodyToken: patchedBody.cart_token,
            patchStatus: patched.status,
            patchedQuantity: patchedBody.items[0]?.quantity,
            requestId: patched.headers.get('x-request-id'),
            patchCartToken: patched.headers.get('x-cart-token'),
            deleteStatus: deleted.status,
            etag: product.headers.get('etag'),
            rateLimit: product.headers.get('x-ratelimit-limit'),
          };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      },
      { api, variantId },
    );
  } finally {
    await page.close();
  }
}

describe.skipIf(!chromiumAvailable)('a storefront on another origin, in Chromium', () => {
  it('changes and removes cart items with X-Cart-Token and reads the exposed headers', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const seen = await cartRoundTrip(storefront.origin, product.variants[0]?.id as string);
    expect(seen).toMatchObject({ ok: true, patchStatus: 200, patchedQuantity: 3, deleteStatus: 204 });
    if (!seen.ok) return;
    expect(seen.token).toMatch(/.{16,}/);
    expect(seen.patchCartToken).toBe(seen.token);
    expect(seen.bodyToken).toBe(seen.token);
    expect(seen.requestId).toBe('storefront-req-1');
    expect(seen.etag).toMatch(/^(W\/)?"/);
    expect(seen.rateLimit).toMatch(/^\d+$/);
  });

  it('refuses a page from an origin not in CORS_ORIGINS (the browser never sends the PATCH)', async () => {
    const product = await makeProduct(app, { variants: [{ stockQuantity: 10 }] });
    const seen = await cartRoundTrip(stranger.origin, product.variants[0]?.id as string);
    expect(seen.ok).toBe(false);
    expect(seen).toMatchObject({ error: expect.stringContaining('Failed to fetch') });
  });

  it('displays a product image from /media/ on a page of another origin', async () => {
    const staff = await authHeader(app, await makeStaff(app));
    const product = await makeProduct(app);
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const boundary = '----browser-test';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await app.inject({
      method: 'POST',
      url: `/api/v1/products/${product.slug}/images/`,
      headers: { ...staff, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const src = `${api}${new URL(uploaded.json().url as string).pathname}`;
    expect(src).toContain('/media/');

    const page = await browser.newPage();
    try {
      await page.goto(stranger.origin); // any origin may show images, CORS_ORIGINS or not
      const width = await page.evaluate(
        (src) =>
          new Promise<number>((resolve) => {
            const img = document.createElement('img');
            img.onload = () => resolve(img.naturalWidth);
            img.onerror = () => resolve(0);
            img.src = src;
            document.body.appendChild(img);
          }),
        src,
      );
      expect(width).toBe(64);
    } finally {
      await page.close();
    }
  });
});
