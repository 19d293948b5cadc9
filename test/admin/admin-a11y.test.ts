// Accessibility and layout of the main admin screens: an axe-core scan of each (no serious or critical
// violations), at desktop (1280x800) and tablet (768x1024) widths without the page scrolling sideways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../factories/catalog.js';
import { placeOrder } from '../factories/orders.js';
import { makeUser } from '../factories/users.js';
import { type AdminE2E, E2E_SETUP_TIMEOUT, seriousViolations, signInAsStaff, startAdminE2E } from './admin-harness.js';

let e2e: AdminE2E;
let orderId: string;
let productSlug: string;
let customerId: string;

beforeAll(async () => {
  e2e = await startAdminE2E();
  const staff = await makeUser(e2e.app, { isStaff: true, email: 'a11y@example.com' });
  const customer = await makeUser(e2e.app, { email: 'c@example.com' });
  customerId = customer.id;
  const product = await makeProduct(e2e.app, { variants: [{ stockQuantity: 2, lowStockThreshold: 5 }] });
  productSlug = product.slug;
  orderId = (await placeOrder(e2e.app, customer, [{ variantId: product.variants[0]!.id }])).id;
  await signInAsStaff(e2e, staff.email);
}, E2E_SETUP_TIMEOUT);
afterAll(async () => e2e?.close());

const screens = () => [
  ['dashboard', '/admin/', '[data-testid="stat-revenue"]'],
  ['orders list', '/admin/orders', 'table'],
  ['order page', `/admin/orders/${orderId}/show`, '[aria-label="Status history"]'],
  ['products list', '/admin/products', 'table'],
  ['product edit', `/admin/products/${productSlug}`, 'form'],
  ['product create', '/admin/products/create', 'form'],
  ['categories', '/admin/categories', 'main'],
  ['customers', '/admin/customers', 'table'],
  ['customer page', `/admin/customers/${customerId}/show`, 'table'],
  ['coupons', '/admin/coupons', 'main'],
  ['reviews', '/admin/reviews', 'main'],
  ['jobs', '/admin/jobs', 'main'],
  ['import', '/admin/import', 'input[type=file]'],
];

describe('admin accessibility', { timeout: 120_000 }, () => {
  it('has no serious or critical axe violations on the main screens', { timeout: 180_000 }, async () => {
    const found: string[] = [];
    for (const [name, url, ready] of screens()) {
      await e2e.page.goto(`${e2e.baseUrl}${url}`);
      await e2e.page
        .locator(ready as string)
        .first()
        .waitFor();
      for (const v of await seriousViolations(e2e.page)) found.push(`${name}: ${v}`);
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('has no serious or critical axe violations on the login screen', async () => {
    const page = await e2e.browser.newPage();
    await page.goto(`${e2e.baseUrl}/admin/login`);
    await page.getByRole('button', { name: /sign in/i }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('fits a tablet (768 px wide) without the page scrolling sideways', async () => {
    await e2e.page.setViewportSize({ width: 768, height: 1024 });
    for (const url of ['/admin/orders', `/admin/orders/${orderId}/show`, '/admin/products']) {
      await e2e.page.goto(`${e2e.baseUrl}${url}`);
      await e2e.page.locator('main').first().waitFor();
      await e2e.page.waitForLoadState('networkidle');
      const overflow = Number(await e2e.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await e2e.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
