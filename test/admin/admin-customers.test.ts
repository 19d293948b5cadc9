// Admin UI end to end in Chromium (people): the customers list and search (with its loading and empty
// states), a customer's page with their orders and address book, deactivate/reactivate, an admin granting and
// removing staff rights (a control plain staff never see), and the audit log filtered by actor and date.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/core/db.js';
import { type UserRow, users } from '../../src/modules/accounts/accounts.tables.js';
import { makeProduct } from '../factories/catalog.js';
import { makeAddress, placeOrder } from '../factories/orders.js';
import { authHeader, login, makeUser } from '../factories/users.js';
import {
  type AdminE2E,
  api,
  E2E_SETUP_TIMEOUT,
  notification,
  seriousViolations,
  settled,
  signInAsStaff,
  startAdminE2E,
} from './admin-harness.js';

const POLL = { timeout: 15_000 };
let e2e: AdminE2E;
let admin: UserRow;
let clerk: UserRow;
let ada: UserRow;
let orderNumber: string;

const rowOf = async (id: string) => (await e2e.app.ctx.db.select().from(users).where(eq(users.id, id)))[0] as UserRow;
const url = (path: string) => `${e2e.baseUrl}/admin${path}`;

beforeAll(async () => {
  e2e = await startAdminE2E();
  admin = await makeUser(e2e.app, { isStaff: true, isSuperuser: true, email: 'boss@example.com' });
  clerk = await makeUser(e2e.app, { isStaff: true, email: 'clerk@example.com' });
  ada = await makeUser(e2e.app, { email: 'ada.quokka@example.com', firstName: 'Ada', lastName: 'Quokka' });
  await makeUser(e2e.app, { email: 'bea.quokka@example.com', firstName: 'Bea', lastName: 'Quokka' });
  await makeUser(e2e.app, { email: 'carl@example.com', firstName: 'Carl' });
  await makeAddress(e2e.app, ada, { city: 'Lyon', line1: '3 Rue Neuve', country: 'FR', isDefaultShipping: true });
  await makeAddress(e2e.app, ada, { city: 'Nice', line1: '9 Quai Sud', country: 'FR' });
  const product = await makeProduct(e2e.app, { variants: [{ stockQuantity: 5 }] });
  orderNumber = (await placeOrder(e2e.app, ada, [{ variantId: product.variants[0]!.id }])).order_number;
  await signInAsStaff(e2e, admin.email);
}, E2E_SETUP_TIMEOUT);
afterAll(async () => e2e?.close());

describe('admin customers and audit log', { timeout: 120_000 }, () => {
  it('lists customers with a loading state, searches them server-side, and shows an empty result', async () => {
    const page = e2e.page;
    // hold the first list answer: the screen shows progress (not a blank page) until it arrives
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const listCall = /\/api\/v1\/users\/\?/;
    await page.route(listCall, async (route) => {
      await gate;
      await route.continue();
    });
    await page.getByRole('menuitem', { name: /customers/i }).click();
    // on the customers screen, not the dashboard still on show (its tables have rows, its cards progress bars)
    await page.waitForURL(/\/admin\/customers/);
    await page.getByRole('progressbar').first().waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);
    release();
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBeGreaterThanOrEqual(5);
    await page.unroute(listCall);

    const searches: string[] = [];
    page.on('request', (r) => {
      if (listCall.test(r.url())) searches.push(new URL(r.url()).searchParams.get('search') ?? '');
    });
    await page.getByPlaceholder('Search by email or name').fill('quokka');
    await expect
      .poll(async () => (await page.locator('tbody tr td:nth-child(1)').allTextContents()).sort(), POLL)
      .toEqual(['ada.quokka@example.com', 'bea.quokka@example.com']);
    expect(searches).toContain('quokka'); // the API searched, not the page

    await page.getByPlaceholder('Search by email or name').fill('nobody-by-this-name');
    await page.getByText(/No Customers found/i).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);
  });

  it("shows a customer's orders and address book on their page", async () => {
    const page = e2e.page;
    await page.goto(url(`/customers/${ada.id}/show`));
    await page.getByRole('cell', { name: orderNumber }).waitFor();
    await page.getByRole('heading', { name: 'Addresses' }).waitFor();
    const lyon = page.getByRole('row', { name: /Lyon/ });
    await lyon.waitFor();
    expect(await lyon.textContent()).toContain('Default shipping');
    expect(await lyon.textContent()).toContain('3 Rue Neuve');
    expect(await page.getByRole('row', { name: /Nice/ }).count()).toBe(1);

    // a customer without addresses gets an empty state, not an empty table
    const carl = (await e2e.app.ctx.db.select().from(users).where(eq(users.email, 'carl@example.com')))[0] as UserRow;
    await page.goto(url(`/customers/${carl.id}/show`));
    await page.getByText('No saved addresses.').waitFor();
    await page.getByText('No orders yet.').waitFor();
  });

  it('deactivates a customer after a confirmation (they cannot sign in) and reactivates them', async () => {
    const page = e2e.page;
    await page.goto(url(`/customers/${ada.id}/show`));
    await page.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Deactivate: ada.quokka@example.com?');
    // asked first: nothing changed until the confirmation
    expect((await rowOf(ada.id)).isActive).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Reactivate' }).waitFor();
    expect((await rowOf(ada.id)).isActive).toBe(false);
    const refused = await e2e.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login/',
      payload: { email: ada.email, password: 'correct-horse-battery' },
    });
    expect(refused.statusCode).toBe(401);

    await page.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Deactivate' }).waitFor();
    expect((await rowOf(ada.id)).isActive).toBe(true);
    expect((await login(e2e.app, ada.email)).access).toBeTruthy();
  });

  it('lets an admin grant staff rights and remove them again', async () => {
    const page = e2e.page;
    const carl = (await e2e.app.ctx.db.select().from(users).where(eq(users.email, 'carl@example.com')))[0] as UserRow;
    await page.goto(url(`/customers/${carl.id}/show`));
    await page.getByRole('button', { name: 'Grant staff' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    expect(await notification(page)).toContain('Saved');
    await page.getByRole('button', { name: 'Remove staff' }).waitFor();
    expect((await rowOf(carl.id)).isStaff).toBe(true);

    await page.getByRole('button', { name: 'Remove staff' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Grant staff' }).waitFor();
    expect((await rowOf(carl.id)).isStaff).toBe(false);
  });

  it('hides the staff-rights control and the audit log from plain staff', async () => {
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await signInAsStaff(e2e, clerk.email, page);
      expect(await page.getByRole('menuitem', { name: /customers/i }).count()).toBe(1);
      expect(await page.getByRole('menuitem', { name: /audit/i }).count()).toBe(0);
      await page.goto(url(`/customers/${ada.id}/show`));
      await page.getByRole('button', { name: 'Deactivate' }).waitFor();
      await page.getByRole('cell', { name: orderNumber }).waitFor();
      expect(await page.getByRole('button', { name: /staff/i }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('filters the audit log by actor (picked by email) and by date', async () => {
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    // real entries: the clerk changes one account, the admin another (that entry is then made 40 days old)
    const bea = (await e2e.app.ctx.db.select().from(users).where(eq(users.email, 'bea.quokka@example.com')))[0] as UserRow;
    const dora = await makeUser(e2e.app, { email: 'dora@example.com' });
    const patch = async (actor: UserRow, target: UserRow) =>
      expect(
        (await api(e2e.app, 'PATCH', `/api/v1/users/${target.id}/`, await authHeader(e2e.app, actor), { is_active: true }))
          .status,
      ).toBe(200);
    await patch(clerk, bea);
    await patch(admin, dora);
    const recorded = async () => {
      const paths = [`/api/v1/users/${bea.id}/`, `/api/v1/users/${dora.id}/`];
      const q = sql`select count(*)::int as n from audit_log where path in (${paths[0]}, ${paths[1]})`;
      return Number((await queryRows<{ n: number }>(e2e.app.ctx.db, q))[0]?.n);
    };
    await expect.poll(recorded, POLL).toBe(2); // written just after the response
    await e2e.app.ctx.db.execute(
      sql`update audit_log set created_at = ${daysAgo(40).toISOString()}::timestamptz where path = ${`/api/v1/users/${dora.id}/`}`,
    );
    const clerkPath = `/api/v1/users/${bea.id}/`;
    const oldPath = `/api/v1/users/${dora.id}/`;

    const page = e2e.page;
    const queries: URLSearchParams[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/audit-log/')) queries.push(new URL(r.url()).searchParams);
    });
    await page.goto(url('/audit'));
    const paths = () => page.locator('tbody tr td:nth-child(4)').allTextContents();
    await expect.poll(paths, POLL).toContain(clerkPath);
    // the admin's own changes from the tests above were recorded, shown with the actor's email
    expect(await paths()).toContain(`/api/v1/users/${ada.id}/`);
    await page.getByRole('cell', { name: 'clerk@example.com' }).waitFor();

    await page.getByRole('combobox', { name: 'Actor' }).fill('boss');
    await page.getByRole('option', { name: 'boss@example.com' }).click();
    await expect.poll(paths, POLL).not.toContain(clerkPath);
    expect(await paths()).toContain(oldPath);
    expect(await paths()).toContain(`/api/v1/users/${ada.id}/`);
    expect(queries.at(-1)?.get('actor')).toBe(admin.id);

    const since = daysAgo(7);
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T00:00`;
    await page.getByLabel('Since').fill(local(since));
    await expect.poll(paths, POLL).not.toContain(oldPath);
    expect(await paths()).toContain(`/api/v1/users/${ada.id}/`);
    const sent = queries.at(-1);
    expect(sent?.get('actor')).toBe(admin.id);
    expect(new Date(sent?.get('since') ?? '').getTime()).toBeLessThan(Date.now() - 6 * 86_400_000);
  });

  it('has no serious or critical axe violations on the customers, customer and audit screens', async () => {
    const page = e2e.page;
    const found: string[] = [];
    for (const [name, path] of [
      ['customers', `/customers?filter=${encodeURIComponent('{}')}`], // the list keeps the last search otherwise
      ['customer page', `/customers/${ada.id}/show`],
      ['audit log', '/audit'],
    ] as const) {
      await page.goto(url(path));
      await page.locator('tbody tr').first().waitFor();
      await settled(page);
      for (const v of await seriousViolations(page)) found.push(`${name}: ${v}`);
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('fits the customers list and a customer page on a tablet (768 px) without sideways scrolling', async () => {
    const page = e2e.page;
    await page.setViewportSize({ width: 768, height: 1024 });
    try {
      for (const path of [`/customers?filter=${encodeURIComponent('{}')}`, `/customers/${ada.id}/show`]) {
        await page.goto(url(path));
        await page.locator('tbody tr').first().waitFor();
        await settled(page);
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('saw no CSP violation or page error', () => {
    expect(e2e.pageErrors, e2e.pageErrors.join('\n')).toEqual([]);
  });
});
