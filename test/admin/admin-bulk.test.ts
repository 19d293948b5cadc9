// Admin UI end to end in Chromium (bulk work): 50 selected products unpublished in one API call, soft delete
// and restore, a 1,000-row CSV import (dry run lists the bad rows; good rows land once; a re-import updates),
// a bulk move to another category and price changes by a percentage and an amount (and the API's refusal of a
// negative price shown), and products and orders CSV exports that match the filtered list.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../factories/catalog.js';
import { placeOrder } from '../factories/orders.js';
import { authHeader, makeUser } from '../factories/users.js';
import { type AdminE2E, api, E2E_SETUP_TIMEOUT, notification, signInAsStaff, startAdminE2E } from './admin-harness.js';

const POLL = { timeout: 15_000 };
// biome-ignore lint/suspicious/noExplicitAny: API JSON read in assertions
type Json = Record<string, any>;
let e2e: AdminE2E;
let staffHeaders: Record<string, string>;

beforeAll(async () => {
  e2e = await startAdminE2E();
  const staff = await makeUser(e2e.app, { isStaff: true, email: 'bulk@example.com' });
  staffHeaders = await authHeader(e2e.app, staff);
  await signInAsStaff(e2e, staff.email);
}, E2E_SETUP_TIMEOUT);
afterAll(async () => e2e?.close());

const listUrl = (resource: string, filter: Json, perPage = 50) =>
  `${e2e.baseUrl}/admin/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}&perPage=${perPage}&page=1`;

describe('admin bulk work', { timeout: 120_000 }, () => {
  it('unpublishes 50 selected products with one API call', async () => {
    const category = await makeCategory(e2e.app, { name: 'Bulk Lot', slug: 'bulk-lot' });
    for (let i = 0; i < 50; i++) await makeProduct(e2e.app, { name: `Lot item ${i}`, categoryId: category.id });
    const page = e2e.page;
    const writes: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => {
      if (r.method() !== 'GET' && r.url().includes('/api/v1/')) writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    };
    page.on('request', onRequest);
    await page.goto(listUrl('products', { category: 'bulk-lot' }));
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(50);
    await page.locator('thead input[type="checkbox"]').check();
    await page.getByRole('button', { name: 'Unpublish' }).click();
    expect(await notification(page)).toContain('50 products updated');
    page.off('request', onRequest);
    expect(writes).toEqual(['POST /api/v1/admin/products/bulk/']);

    const publicList = (await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=bulk-lot')).json;
    expect(publicList.count).toBe(0);
    const staffList = (
      await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=bulk-lot&include_inactive=true&is_active=false', staffHeaders)
    ).json;
    expect(staffList.count).toBe(50);
  });

  it('soft deletes a product after a confirmation and restores it', async () => {
    const product = await makeProduct(e2e.app, { name: 'Old Kettle' });
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/products/${product.slug}`);
    await page.getByRole('button', { name: 'Delete' }).last().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/admin\/products(\?.*)?$/);
    expect((await api(e2e.app, 'GET', `/api/v1/products/${product.slug}/`)).status).toBe(404);

    await page.goto(`${e2e.baseUrl}/admin/products/${product.slug}`);
    await page.getByRole('button', { name: 'Restore' }).click();
    expect(await notification(page)).toContain('Product restored');
    expect((await api(e2e.app, 'GET', `/api/v1/products/${product.slug}/`)).status).toBe(200);
  });

  it('imports 1,000 CSV rows: the dry run lists the bad rows, good rows land once, a re-import updates', {
    timeout: 240_000,
  }, async () => {
    await makeCategory(e2e.app, { name: 'Imported', slug: 'imported' });
    const header = 'product_slug,product_name,category_slug,variant_sku,variant_name,price,stock_quantity';
    const rows = (price: (i: number) => string) =>
      Array.from(
        { length: 1000 },
        (_, i) => `imp-${Math.floor(i / 4)},Imported ${Math.floor(i / 4)},imported,IMP-${i},V${i % 4},${price(i)},${i % 9}`,
      );
    const bad = rows((i) => (i % 250 === 7 ? 'abc' : '12.50'));
    const good = rows(() => '12.50');
    const dir = fs.mkdtempSync('/tmp/emporium-import-');
    fs.writeFileSync(`${dir}/bad.csv`, [header, ...bad].join('\n'));
    fs.writeFileSync(`${dir}/good.csv`, [header, ...good].join('\n'));
    fs.writeFileSync(`${dir}/again.csv`, [header, ...rows(() => '13.00')].join('\n'));

    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/import`);
    await page.locator('#csv-file').setInputFiles(`${dir}/bad.csv`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-error').count()).toBe(4);
    expect(await page.getByTestId('import-report').textContent()).toContain('1000 rows, 996 valid, 4 with errors');
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    expect((await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=imported')).json.count).toBe(0);

    await page.locator('#csv-file').setInputFiles(`${dir}/good.csv`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText('Dry run: 1000 rows, 1000 valid').waitFor({ timeout: 60_000 });
    // a big file shows progress until the API answers (held here, so the state can be seen)
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const importCall = /\/api\/v1\/admin\/products\/import\/\?dry_run=false/;
    await page.route(importCall, async (route) => {
      await gate;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = page.getByTestId('import-progress');
    await progress.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    expect(await progress.textContent()).toContain('Importing 1000 rows');
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    release();
    await page.getByText(/^Imported\. 1000 rows/).waitFor({ timeout: 120_000 });
    await page.unroute(importCall);
    expect(await progress.count()).toBe(0);
    expect(await page.getByTestId('import-report').textContent()).toContain('Products: 250 new');
    expect((await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=imported')).json.count).toBe(250);

    await page.locator('#csv-file').setInputFiles(`${dir}/again.csv`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText('Dry run: 1000 rows, 1000 valid').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/^Imported\. 1000 rows/).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('import-report').textContent()).toContain(
      'Products: 0 new, 250 updated; variants: 0 new, 1000 updated',
    );
    const after = (await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=imported&page_size=1')).json;
    expect(after.count).toBe(250);
    const detail = (await api<Json>(e2e.app, 'GET', `/api/v1/products/${after.results[0].slug}/`)).json;
    expect(detail.variants).toHaveLength(4);
    expect(detail.variants.every((v: Json) => v.price === '13.00')).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports the orders of the filtered list as CSV (fetched with the token, never in a URL)', async () => {
    const product = await makeProduct(e2e.app, { variants: [{ stockQuantity: 50 }] });
    const ann = await makeUser(e2e.app, { email: 'ann.export@example.com' });
    const bob = await makeUser(e2e.app, { email: 'bob.export@example.com' });
    const mine: string[] = [];
    for (let i = 0; i < 3; i++)
      mine.push((await placeOrder(e2e.app, ann, [{ variantId: product.variants[0]!.id }])).order_number);
    await placeOrder(e2e.app, bob, [{ variantId: product.variants[0]!.id }]);

    const page = e2e.page;
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(listUrl('orders', { email: 'ann.export' }, 25));
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(3);
    const shown = await page.locator('tbody tr td:nth-child(1)').allTextContents();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]?.split(',')[0]).toBe('order_number');
    const exported = lines.slice(1).map((l) => l.split(',')[0]);
    expect(exported.sort()).toEqual([...mine].sort());
    expect(shown.map((s) => s.trim()).sort()).toEqual([...mine].sort());
    expect(urls.filter((u) => /access|token|bearer/i.test(u))).toEqual([]);
  });

  it('moves the selected products to another category, then changes their prices by a percent and an amount', async () => {
    const shelfA = await makeCategory(e2e.app, { name: 'Shelf A', slug: 'shelf-a' });
    await makeCategory(e2e.app, { name: 'Shelf B', slug: 'shelf-b' });
    for (const [i, price] of [1000, 2000, 3000].entries())
      await makeProduct(e2e.app, { name: `Shelf item ${i}`, slug: `shelf-item-${i}`, price, categoryId: shelfA.id });
    const page = e2e.page;
    const writes: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => {
      if (r.method() !== 'GET' && r.url().includes('/api/v1/')) writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    };
    page.on('request', onRequest);
    const countIn = async (slug: string) =>
      (await api<Json>(e2e.app, 'GET', `/api/v1/products/?category=${slug}&include_inactive=true`, staffHeaders)).json.count;
    const prices = async () =>
      (await api<Json>(e2e.app, 'GET', '/api/v1/products/?category=shelf-b&ordering=price', staffHeaders)).json.results.map(
        (p: Json) => p.price,
      );
    const selectAll = async (category: string) => {
      await page.goto(listUrl('products', { category }));
      await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(3);
      await page.locator('thead input[type="checkbox"]').check();
    };

    await selectAll('shelf-a');
    await page.getByRole('button', { name: 'Move to category' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox').click();
    await page.getByRole('option', { name: 'Shelf B' }).click();
    await dialog.getByRole('button', { name: 'Move' }).click();
    expect(await notification(page)).toContain('3 products updated');
    expect([await countIn('shelf-a'), await countIn('shelf-b')]).toEqual([0, 3]);

    await selectAll('shelf-b');
    await page.getByRole('button', { name: 'Change price' }).click();
    await dialog.getByLabel('Percent (e.g. -10)').fill('-10');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    expect(await notification(page)).toContain('3 products updated');
    expect(await prices()).toEqual(['9.00', '18.00', '27.00']);

    await selectAll('shelf-b');
    await page.getByRole('button', { name: 'Change price' }).click();
    await dialog.getByRole('combobox').click();
    await page.getByRole('option', { name: 'Amount' }).click();
    await dialog.getByLabel('Amount (e.g. -2.00)').fill('2.50');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    expect(await notification(page)).toContain('3 products updated');
    expect(await prices()).toEqual(['11.50', '20.50', '29.50']);

    // a change the API refuses (a price below zero) is shown, and nothing changed
    await selectAll('shelf-b');
    await page.getByRole('button', { name: 'Change price' }).click();
    await dialog.getByRole('combobox').click();
    await page.getByRole('option', { name: 'Amount' }).click();
    await dialog.getByLabel('Amount (e.g. -2.00)').fill('-15');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    expect(await notification(page)).toContain('A price would fall below zero; nothing was changed.');
    expect(await prices()).toEqual(['11.50', '20.50', '29.50']);
    // the selection is kept for another try; the staff member clears it
    await page.getByText('3 items selected').waitFor();
    await page.getByRole('button', { name: 'Unselect' }).click();
    await expect.poll(() => page.getByText('3 items selected').count(), POLL).toBe(0);
    page.off('request', onRequest);
    expect(writes).toEqual(Array(4).fill('POST /api/v1/admin/products/bulk/'));
  });

  it('exports the products of the filtered list as CSV, one row per variant', async () => {
    const lot = await makeCategory(e2e.app, { name: 'Export Lot', slug: 'export-lot' });
    const other = await makeCategory(e2e.app, { name: 'Elsewhere', slug: 'elsewhere' });
    await makeProduct(e2e.app, { slug: 'exp-two', isFeatured: true, categoryId: lot.id, variants: [{}, {}] });
    await makeProduct(e2e.app, { slug: 'exp-one', isFeatured: true, categoryId: lot.id });
    await makeProduct(e2e.app, { slug: 'exp-plain', isFeatured: false, categoryId: lot.id });
    await makeProduct(e2e.app, { slug: 'exp-elsewhere', isFeatured: true, categoryId: other.id });

    const page = e2e.page;
    const exports: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/export/')) exports.push(r.url());
    });
    await page.goto(listUrl('products', { category: 'export-lot', is_featured: true }, 25));
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(2);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const lines = fs
      .readFileSync(await (await download).path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    const header = lines[0]?.split(',') ?? [];
    const slugAt = header.indexOf('product_slug');
    expect(slugAt).toBeGreaterThanOrEqual(0);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[slugAt])
        .sort(),
    ).toEqual(['exp-one', 'exp-two', 'exp-two']);
    const sent = new URL(exports.at(-1) as string);
    expect(sent.pathname).toBe('/api/v1/admin/products/export/');
    expect(Object.fromEntries(sent.searchParams)).toMatchObject({ category: 'export-lot', is_featured: 'true' });
    expect(exports.filter((u) => /access|token|bearer/i.test(u))).toEqual([]);
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
