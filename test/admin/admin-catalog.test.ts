// Admin UI end to end in Chromium (catalog side): who may sign in, and staff building a catalog through the
// screens: a category, a product with two variants and an uploaded image that then shows in the public API.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../factories/users.js';
import { type AdminE2E, api, E2E_SETUP_TIMEOUT, notification, signIn, signInAsStaff, startAdminE2E } from './admin-harness.js';

const POLL = { timeout: 15_000 };
// biome-ignore lint/suspicious/noExplicitAny: API JSON read in assertions
type Json = Record<string, any>;
let e2e: AdminE2E;
let staffEmail: string;

beforeAll(async () => {
  e2e = await startAdminE2E();
  staffEmail = (await makeUser(e2e.app, { isStaff: true, email: 'clerk@example.com', firstName: 'Cleo' })).email;
}, E2E_SETUP_TIMEOUT);
afterAll(async () => e2e?.close());

describe('admin catalog screens', { timeout: 120_000 }, () => {
  it('keeps a customer at the login screen with a clear message', async () => {
    const customer = await makeUser(e2e.app, { email: 'shopper@example.com' });
    await signIn(e2e, customer.email);
    expect(await notification(e2e.page)).toContain('This account has no staff access');
    expect(e2e.page.url()).toMatch(/\/admin\/login/);
    // nothing of the session is kept for a customer
    const stored = String(await e2e.page.evaluate('JSON.stringify(sessionStorage)'));
    expect(stored).not.toContain('access');
  });

  it('signs staff in and keeps the session across a reload of a deep link', async () => {
    await signInAsStaff(e2e, staffEmail);
    await e2e.page.goto(`${e2e.baseUrl}/admin/products`);
    await e2e.page.reload();
    await e2e.page
      .getByRole('heading', { name: /products/i })
      .first()
      .waitFor();
    expect(e2e.page.url()).toBe(`${e2e.baseUrl}/admin/products`);
  });

  it('creates a category and a product with two variants and an image; the product is public', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/categories/create`);
    await page.getByLabel('Name *').fill('Garden Tools');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Garden Tools' }).waitFor();

    await page.goto(`${e2e.baseUrl}/admin/products/create`);
    await page.getByLabel('Name *').fill('Steel Rake');
    await page.getByLabel('Price *').fill('24.50');
    await page.getByRole('combobox', { name: 'Category' }).click();
    await page.getByRole('option', { name: 'Garden Tools' }).click();
    for (const [sku, stock] of [
      ['RAKE-S', '7'],
      ['RAKE-L', '3'],
    ]) {
      await page.getByRole('button', { name: 'Add' }).click();
      const row = page.locator('.RaSimpleFormIterator-line').last();
      await row.getByLabel('SKU *').fill(sku as string);
      await row.getByLabel('Stock', { exact: true }).fill(stock as string);
    }
    await page
      .locator('.RaSimpleFormIterator-line')
      .last()
      .getByLabel(/Price \(blank/)
      .fill('29.00');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/products\/steel-rake$/);

    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a7' } })
      .png()
      .toBuffer();
    await page.locator('#image-file').setInputFiles({ name: 'rake.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('img', { name: 'Preview of the chosen file' }).waitFor();
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('product-image').first().waitFor();

    const list = await api<{ results: Json[] }>(e2e.app, 'GET', '/api/v1/products/?search=rake');
    const product = list.json.results.find((p) => p.slug === 'steel-rake') as Json;
    expect(product).toBeDefined();
    expect(product.category.name).toBe('Garden Tools');
    expect(product.price).toBe('24.50');
    const detail = (await api<Json>(e2e.app, 'GET', '/api/v1/products/steel-rake/')).json;
    expect(
      detail.variants.map((v: { sku: string; stock_quantity: number; price: string }) => [v.sku, v.stock_quantity, v.price]),
    ).toEqual([
      ['RAKE-S', 7, '24.50'],
      ['RAKE-L', 3, '29.00'],
    ]);
    expect(detail.images).toHaveLength(1);
    expect(detail.images[0].width).toBe(64);
  });

  it('shows an API validation error on the form field', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/products/create`);
    await page.getByLabel('Name *').fill('Duplicate Rake');
    await page.getByLabel('Slug').fill('steel-rake');
    await page.getByLabel('Price *').fill('5.00');
    await page.getByRole('button', { name: 'Save' }).click();
    // the problem+json `errors.slug` is shown under the slug field (its helper text), not only as a toast
    const slug = page.getByRole('textbox', { name: 'Slug' });
    const helper = page.locator(`[id="${await slug.getAttribute('aria-describedby')}"]`);
    await expect.poll(() => helper.textContent(), POLL).toMatch(/already exists/i);
    expect(await slug.getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/products\/create$/);
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
