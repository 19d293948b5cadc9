// Admin UI end to end in Chromium (catalog side): who may sign in, and staff building a catalog through the
// screens: a category, a product with two variants and an uploaded image that then shows in the public API;
// the product list searched, filtered and sorted by the API; the category tree edited (rename, move under another parent, delete; a parent's delete refused), and the
// product's images reordered and deleted.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../factories/catalog.js';
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

  it('searches, filters and sorts the product list on the server', async () => {
    await makeProduct(e2e.app, { name: 'Zeta Lamp', slug: 'zeta-lamp', price: 3000, variants: [{ stockQuantity: 0 }] });
    await makeProduct(e2e.app, { name: 'Alpha Lamp', slug: 'alpha-lamp', price: 1000 });
    await makeProduct(e2e.app, { name: 'Mid Lamp', slug: 'mid-lamp', price: 2000 });
    const page = e2e.page;
    const queries: URLSearchParams[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/products\/\?/.test(r.url())) queries.push(new URL(r.url()).searchParams);
    });
    const names = () => page.locator('tbody tr td:nth-child(2)').allTextContents();
    await page.goto(`${e2e.baseUrl}/admin/products?filter=${encodeURIComponent('{}')}`);
    await page.getByPlaceholder('Search products').fill('lamp');
    await expect.poll(async () => (await names()).sort(), POLL).toEqual(['Alpha Lamp', 'Mid Lamp', 'Zeta Lamp']);
    expect(queries.at(-1)?.get('search')).toBe('lamp');

    await page.getByRole('columnheader', { name: 'Price' }).getByRole('button').click();
    await expect.poll(names, POLL).toEqual(['Alpha Lamp', 'Mid Lamp', 'Zeta Lamp']);
    await page.getByRole('columnheader', { name: 'Price' }).getByRole('button').click();
    await expect.poll(names, POLL).toEqual(['Zeta Lamp', 'Mid Lamp', 'Alpha Lamp']);
    expect(queries.at(-1)?.get('ordering')).toBe('-price');

    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'In stock' }).click();
    await page.getByRole('combobox', { name: 'In stock' }).click();
    await page.getByRole('option', { name: 'Yes' }).click();
    await expect.poll(names, POLL).toEqual(['Mid Lamp', 'Alpha Lamp']);
    expect(Object.fromEntries(queries.at(-1) ?? [])).toMatchObject({ search: 'lamp', in_stock: 'true', ordering: '-price' });
  });

  it('edits the category tree: creates, edits and moves a category, refuses to delete a parent, deletes a leaf', async () => {
    const page = e2e.page;
    const tree = async () => (await api<Json[]>(e2e.app, 'GET', '/api/v1/products/categories/')).json;
    await page.goto(`${e2e.baseUrl}/admin/categories/create`);
    await page.getByLabel('Name *').fill('Hand Tools');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Hand Tools' }).waitFor();
    expect((await tree()).map((c) => c.slug)).toEqual(expect.arrayContaining(['garden-tools', 'hand-tools']));

    // edit: a description, and a move under Garden Tools
    await page.getByRole('cell', { name: 'Hand Tools' }).click();
    await page.waitForURL(/\/admin\/categories\/hand-tools$/);
    await page.getByLabel('Name *').waitFor();
    await page.getByRole('combobox', { name: 'Parent (move)' }).click();
    await page.getByRole('option', { name: 'Garden Tools' }).click();
    await page.getByLabel('Description').fill('Saws and chisels');
    await expect.poll(() => page.getByLabel('Description').inputValue(), POLL).toBe('Saws and chisels');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/categories(\?.*)?$/);
    await expect
      .poll(async () => (await tree()).find((c) => c.slug === 'garden-tools')?.children?.map((c: Json) => c.slug), POLL)
      .toEqual(['hand-tools']);
    await expect
      .poll(async () => (await tree()).find((c) => c.slug === 'garden-tools')?.children[0], POLL)
      .toMatchObject({ name: 'Hand Tools', description: 'Saws and chisels' });
    expect((await tree()).some((c) => c.slug === 'hand-tools')).toBe(false);
    // the list shows the tree: the child right under its parent
    await expect
      .poll(async () => (await page.locator('tbody tr td:nth-child(1)').allTextContents()).map((t) => t.trim()), POLL)
      .toEqual(['Garden Tools', 'Hand Tools']);

    // a category with a subcategory: the API refuses, the screen says why, nothing is deleted
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await row('Garden Tools').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').filter({ hasText: 'Delete or move its subcategories first.' }).waitFor();
    expect((await tree()).find((c) => c.slug === 'garden-tools')?.children).toHaveLength(1);

    // a leaf goes, after the confirmation
    await row('Hand Tools').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(async () => (await tree()).find((c) => c.slug === 'garden-tools')?.children, POLL).toEqual([]);
    await expect.poll(() => row('Hand Tools').count(), POLL).toBe(0);
  });

  it("reorders and deletes a product's images", async () => {
    const page = e2e.page;
    const images = async () =>
      (await api<Json>(e2e.app, 'GET', '/api/v1/products/steel-rake/')).json.images.map((i: Json) => i.width as number);
    expect(await images()).toEqual([64]);
    await page.goto(`${e2e.baseUrl}/admin/products/steel-rake`);
    await page.getByTestId('product-image').first().waitFor();
    const red = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c22' } })
      .png()
      .toBuffer();
    await page.locator('#image-file').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: red });
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => page.getByTestId('product-image').count(), POLL).toBe(2);
    expect(await images()).toEqual([64, 32]);

    await page.getByTestId('product-image').first().getByRole('button', { name: 'Move image later' }).click();
    await expect.poll(images, POLL).toEqual([32, 64]);
    // the screen shows the new order (not just the API) before the last image is picked for deletion
    const thumbnails = async () =>
      (await api<Json>(e2e.app, 'GET', '/api/v1/products/steel-rake/')).json.images.map((i: Json) => i.thumbnail_url);
    const shown = () =>
      page
        .getByTestId('product-image')
        .locator('img')
        .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
    const expected = await thumbnails();
    await expect.poll(shown, POLL).toEqual(expected);
    expect(await page.getByTestId('product-image').first().getByRole('button', { name: 'Move image earlier' }).isDisabled()).toBe(
      true,
    );

    await page.getByTestId('product-image').last().getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Delete this image?');
    expect(await images()).toEqual([32, 64]); // nothing happens before the confirmation
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(images, POLL).toEqual([32]);
    await expect.poll(() => page.getByTestId('product-image').count(), POLL).toBe(1);
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
