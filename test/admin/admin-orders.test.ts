// Admin UI end to end in Chromium (shop side): the dashboard; an order taken from placed to delivered and
// partially refunded from its page; the orders list filtered by status, number and date; a coupon made in
// the admin, accepted at checkout, edited and deleted; reviews filtered by rating, hidden, unhidden and
// deleted; a dead job retried. Each step is checked through the public/staff API, not only on screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJob } from '../factories/admin.js';
import { makeProduct } from '../factories/catalog.js';
import { addToCart, checkout, placeOrder } from '../factories/orders.js';
import { authHeader, makeUser } from '../factories/users.js';
import { type AdminE2E, api, E2E_SETUP_TIMEOUT, notification, signInAsStaff, startAdminE2E } from './admin-harness.js';

const POLL = { timeout: 15_000 };
// biome-ignore lint/suspicious/noExplicitAny: API JSON read in assertions
type Json = Record<string, any>;
let e2e: AdminE2E;
let staffHeaders: Record<string, string>;
let customer: Awaited<ReturnType<typeof makeUser>>;
let customerHeaders: Record<string, string>;

beforeAll(async () => {
  e2e = await startAdminE2E();
  const admin = await makeUser(e2e.app, { isStaff: true, isSuperuser: true, email: 'boss@example.com', firstName: 'Bo' });
  staffHeaders = await authHeader(e2e.app, admin);
  customer = await makeUser(e2e.app, { email: 'buyer@example.com' });
  customerHeaders = await authHeader(e2e.app, customer);
  await signInAsStaff(e2e, admin.email);
}, E2E_SETUP_TIMEOUT);
afterAll(async () => e2e?.close());

async function clickAndConfirm(label: string, note?: string) {
  const page = e2e.page;
  await page.getByRole('button', { name: label, exact: true }).click();
  const dialog = page.getByRole('dialog');
  if (note) await dialog.getByLabel('Note (optional)').fill(note);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('admin order screens', { timeout: 120_000 }, () => {
  it('shows the dashboard with revenue, orders by status and the 30-day chart', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/`);
    await page.getByTestId('stat-revenue').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await page.getByRole('table', { name: 'Orders by status' }).waitFor();
    expect(await page.getByRole('table', { name: 'Orders by status' }).getByRole('row').count()).toBe(7);
  });

  it('takes an order from placed to delivered, partially refunds it, and shows each step in the history', async () => {
    const product = await makeProduct(e2e.app, { price: 4000, variants: [{ stockQuantity: 5 }] });
    const order = await placeOrder(e2e.app, customer, [{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const intent = await api<Json>(e2e.app, 'POST', '/api/v1/payments/create-intent/', customerHeaders, {
      order_id: order.id,
      payment_method: 'bank_transfer',
    });
    expect(intent.status, intent.body).toBeLessThan(300);

    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/orders`);
    await page.getByLabel('Customer email').fill('buyer@');
    // the filter applies after a debounce and moves the URL: click only once it has, or that move would
    // take the page back to the list after the click opened the order
    await page.waitForURL((url) => decodeURIComponent(url.search).includes('buyer@'));
    await page.getByRole('cell', { name: order.order_number }).click();
    await page.waitForURL(new RegExp(`/admin/orders/${order.id}/show$`));
    await page.reload(); // a deep link survives a reload

    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page.getByRole('button', { name: 'Mark processing' }).waitFor();
    await clickAndConfirm('Mark processing', 'Packing today');
    await clickAndConfirm('Mark shipped', 'Tracking 1Z999');
    await clickAndConfirm('Mark delivered');
    await page.getByRole('button', { name: 'Refund', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount').fill('5.00');
    await dialog.getByLabel('Reason').fill('Scratched box');
    await dialog.getByRole('button', { name: 'Refund now' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const detail = (await api<Json>(e2e.app, 'GET', `/api/v1/orders/${order.id}/`, staffHeaders)).json;
    expect(detail.status).toBe('delivered');
    expect(detail.status_history.map((h: Json) => h.status)).toEqual(['pending', 'paid', 'processing', 'shipped', 'delivered']);
    expect(detail.status_history.find((h: Json) => h.status === 'shipped').note).toBe('Tracking 1Z999');
    const payments = (await api<Json>(e2e.app, 'GET', `/api/v1/payments/?order=${order.id}`, staffHeaders)).json.results;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ refunded_amount: '5.00', status: 'partially_refunded' });

    const history = page.getByRole('list', { name: 'Status history' });
    await expect.poll(() => history.getByTestId('history-entry').count(), POLL).toBe(5);
    expect(await history.textContent()).toContain('shipped → delivered');
    expect(await history.textContent()).toContain('Tracking 1Z999');
  });

  it('offers no illegal action: a cancelled order has no status, cancel or paid buttons', async () => {
    const product = await makeProduct(e2e.app, { variants: [{ stockQuantity: 5 }] });
    const order = await placeOrder(e2e.app, customer, [{ variantId: product.variants[0]!.id }]);
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/orders/${order.id}/show`);
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    expect(await notification(page)).toContain('Order cancelled');
    await expect
      .poll(async () => (await api<Json>(e2e.app, 'GET', `/api/v1/orders/${order.id}/`, staffHeaders)).json.status, POLL)
      .toBe('cancelled');
    await page.reload();
    await page.getByText('pending → cancelled').waitFor();
    for (const name of ['Cancel order', 'Mark paid', 'Mark processing', 'Refund']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
  });

  it('filters the orders list by status, order number and date range on the server', async () => {
    const page = e2e.page;
    const all = (await api<Json>(e2e.app, 'GET', '/api/v1/orders/?all=true&page_size=100', staffHeaders)).json.results;
    const cancelled = all.filter((o: Json) => o.status === 'cancelled').map((o: Json) => o.order_number);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(cancelled.length);
    const queries: URLSearchParams[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/orders\/\?/.test(r.url())) queries.push(new URL(r.url()).searchParams);
    });
    const numbers = () => page.locator('tbody tr td:nth-child(1)').allTextContents();
    await page.goto(`${e2e.baseUrl}/admin/orders?filter=${encodeURIComponent('{}')}`);
    await expect.poll(async () => (await numbers()).length, POLL).toBe(all.length);

    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'cancelled' }).click();
    await expect.poll(async () => (await numbers()).sort(), POLL).toEqual([...cancelled].sort());
    expect(queries.at(-1)?.get('status')).toBe('cancelled');

    const target = all.find((o: Json) => o.status !== 'cancelled') as Json;
    await page.goto(`${e2e.baseUrl}/admin/orders?filter=${encodeURIComponent('{}')}`);
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Order number' }).click();
    await page.getByLabel('Order number').fill(target.order_number);
    await expect.poll(numbers, POLL).toEqual([target.order_number]);

    await page.goto(`${e2e.baseUrl}/admin/orders?filter=${encodeURIComponent('{}')}`);
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Placed from' }).click();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    await page.getByLabel('Placed from').fill(day(tomorrow));
    await page.getByText('No Orders found using the current filters.').waitFor();
    expect(queries.at(-1)?.get('created_after')).toBe(day(tomorrow));
  });

  it('creates a coupon that checkout then accepts, edits it, and deletes it after a confirmation', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/coupons/create`);
    await page.getByLabel('Code *').fill('WINTER10');
    await page.getByRole('combobox', { name: 'Discount type' }).click();
    await page.getByRole('option', { name: 'Percentage' }).click();
    await page.getByLabel('Value *').fill('10');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'WINTER10' }).waitFor();

    const product = await makeProduct(e2e.app, { price: 10000, variants: [{ stockQuantity: 5 }] });
    await addToCart(e2e.app, customerHeaders, product.variants[0]!.id, 1);
    const res = await checkout(e2e.app, customerHeaders, { coupon_code: 'WINTER10' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ coupon_code: 'WINTER10', discount_amount: '10.00' });

    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'WINTER10' });
    await expect.poll(() => row.getByRole('cell').nth(4).textContent(), POLL).toBe('1');

    // edit, then delete after a confirmation
    const coupons = async () => (await api<Json>(e2e.app, 'GET', '/api/v1/coupons/?search=WINTER10', staffHeaders)).json.results;
    await row.getByRole('cell', { name: 'WINTER10' }).click();
    await page.getByLabel('Value *').fill('15');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/admin\/coupons(\?.*)?$/);
    await expect.poll(async () => Number((await coupons())[0]?.value), POLL).toBe(15);
    await row.getByRole('cell', { name: 'WINTER10' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Delete this coupon?');
    expect(await coupons()).toHaveLength(1); // nothing deleted before the confirmation
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/admin\/coupons(\?.*)?$/);
    await expect.poll(coupons, POLL).toEqual([]);
  });

  it('filters reviews by rating, hides and unhides one (rating kept right), deletes one after a confirmation', async () => {
    const product = await makeProduct(e2e.app, { variants: [{ stockQuantity: 5 }] });
    const fan = await authHeader(e2e.app, await makeUser(e2e.app, { email: 'fan@example.com' }));
    for (const [headers, rating, title] of [
      [customerHeaders, 1, 'Broke at once'],
      [fan, 5, 'Love it'],
    ] as const) {
      const posted = await api<Json>(e2e.app, 'POST', `/api/v1/products/${product.slug}/reviews/`, headers, {
        rating,
        title,
        body: `${title}.`,
      });
      expect(posted.status, posted.body).toBe(201);
    }
    const productNow = async () => (await api<Json>(e2e.app, 'GET', `/api/v1/products/${product.slug}/`)).json;
    const publicTitles = async () =>
      (await api<Json>(e2e.app, 'GET', `/api/v1/products/${product.slug}/reviews/`)).json.results.map((r: Json) => r.title);
    expect(await productNow()).toMatchObject({ review_count: 2, average_rating: '3.00' });

    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/reviews?filter=${encodeURIComponent('{}')}`);
    await page.getByRole('row').filter({ hasText: 'Love it' }).waitFor();
    await page.getByRole('combobox', { name: 'Rating' }).click();
    await page.getByRole('option', { name: '1 ★' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Love it' }).count(), POLL).toBe(0);
    const row = page.getByRole('row').filter({ hasText: 'Broke at once' });

    await row.getByRole('button', { name: 'Hide' }).click();
    await row.getByRole('button', { name: 'Unhide' }).waitFor();
    await expect.poll(publicTitles, POLL).toEqual(['Love it']);
    // the list is read uncached: the product's cached detail changes when the write's response is on its way
    await expect.poll(async () => (await productNow()).review_count, POLL).toBe(1);
    expect(await productNow()).toMatchObject({ review_count: 1, average_rating: '5.00' });

    await row.getByRole('button', { name: 'Unhide' }).click();
    await row.getByRole('button', { name: 'Hide' }).waitFor();
    await expect.poll(async () => (await productNow()).review_count, POLL).toBe(2);
    expect((await productNow()).average_rating).toBe('3.00');

    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.count(), POLL).toBe(0);
    await expect.poll(publicTitles, POLL).toEqual(['Love it']);
    // the list is read uncached: the product's cached detail changes when the write's response is on its way
    await expect.poll(async () => (await productNow()).review_count, POLL).toBe(1);
    expect(await productNow()).toMatchObject({ review_count: 1, average_rating: '5.00' });
  });

  it('retries a dead job from the jobs screen', async () => {
    const job = await makeJob(e2e.app, {
      type: 'test.admin_e2e',
      status: 'dead',
      attempts: 8,
      lastError: 'Error: mail server said no',
      payload: { orderId: 'o-1' },
      finishedAt: new Date(),
    });
    const page = e2e.page;
    await page.goto(`${e2e.baseUrl}/admin/jobs`);
    const row = page.getByRole('row').filter({ hasText: 'mail server said no' });
    await row.getByRole('button', { name: 'Retry' }).click();
    expect(await notification(page)).toContain('Job queued again');
    const after = (await api<Json>(e2e.app, 'GET', `/api/v1/admin/jobs/${job.id}/`, staffHeaders)).json;
    expect(after.status).not.toBe('dead');
    expect(after.attempts).toBeLessThanOrEqual(1);
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
