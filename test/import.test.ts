// `npm run import`: a Django dumpdata export of the old system lands in our tables, idempotently, with what
// cannot be mapped reported; imported users log in with their old passwords and get argon2id hashes.
import { pbkdf2Sync } from 'node:crypto';
import fs from 'node:fs';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importId } from '../src/import/django.fields.js';
import { type ImportOptions, importDjangoDump } from '../src/import/django.import.js';
import { users } from '../src/modules/accounts/accounts.tables.js';
import { categories, products, productVariants, reviews, wishlistItems } from '../src/modules/catalog/catalog.tables.js';
import { notifications } from '../src/modules/notifications/notifications.tables.js';
import { orderItems, orderStatusHistory, orders } from '../src/modules/orders/orders.tables.js';
import { payments } from '../src/modules/payments/payments.tables.js';
import { useTestApp } from './setup/test-app.js';

const fixture = JSON.parse(fs.readFileSync(new URL('./fixtures/django-dump.json', import.meta.url), 'utf8')) as {
  model: string;
  pk: number;
  fields: Record<string, unknown>;
}[];
const OLD_PASSWORD = 'lètmein';

/** Django's PBKDF2PasswordHasher.encode: pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>. */
const djangoPbkdf2 = (password: string, salt: string, iterations: number) =>
  `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;

let lines: string[];
const options = (): ImportOptions => ({
  currency: 'USD',
  mediaUrl: '/media/',
  progress: (line) => lines.push(line),
});
const run = (dryRun = false) => {
  lines = [];
  return importDjangoDump(app.ctx.db, fixture, { ...options(), dryRun });
};

const tables = {
  users,
  categories,
  products,
  productVariants,
  reviews,
  wishlistItems,
  orders,
  orderItems,
  orderStatusHistory,
  payments,
  notifications,
};
async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(tables)) {
    out[name] = (await app.ctx.db.select().from(table)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

const { app } = useTestApp();

describe('importDjangoDump', () => {
  it('the fixture user holds a hash made by Django’s pbkdf2_sha256 algorithm', () => {
    const user = fixture.find((r) => r.model === 'accounts.user' && r.pk === 1)!;
    expect(user.fields.password).toBe(djangoPbkdf2(OLD_PASSWORD, 'seasalt', 390000));
  });

  it('a dry run reports counts and problems and writes nothing', async () => {
    const before = await snapshot();
    const report = await run(true);
    expect(report.dryRun).toBe(true);
    expect(report.models.find((m) => m.model === 'accounts.user')).toEqual({
      model: 'accounts.user',
      rows: 2,
      imported: 2,
      skipped: 0,
    });
    expect(report.problems.length).toBeGreaterThan(0);
    expect(lines).toContain('products.product: 3 rows, would import 2, skipped 1');
    expect(await snapshot()).toEqual(before);
  });

  it('imports every model with mapped values, and reports what it cannot map', async () => {
    const report = await run();
    expect(lines).toHaveLength(13); // a progress line per model
    expect(report.ignored).toEqual({ 'contenttypes.contenttype': 1 });
    const problems = report.problems.map((p) => [p.kind, p.model, p.pk, p.field]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['bad_value', 'products.product', 3, 'price'],
        ['missing_fk', 'products.review', 2, 'user'],
        ['missing_fk', 'orders.orderitem', 2, 'product'],
        ['unknown_model', 'orders.coupon', 1, undefined],
      ]),
    );
    expect(report.problems).toHaveLength(4);

    const [user] = await app.ctx.db
      .select()
      .from(users)
      .where(eq(users.id, importId('accounts.user', 1)));
    expect(user).toMatchObject({ email: 'casey.customer@example.com', isStaff: false, isEmailVerified: true });
    expect(user!.dateJoined.toISOString()).toBe('2023-01-15T09:30:00.000Z');
    const [staff] = await app.ctx.db
      .select()
      .from(users)
      .where(eq(users.id, importId('accounts.user', 2)));
    expect(staff).toMatchObject({ isStaff: true, isSuperuser: true });

    const [shirts] = await app.ctx.db.select().from(categories).where(eq(categories.slug, 'shirts'));
    expect(shirts!.parentId).toBe(importId('products.category', 1));
    const [shirt] = await app.ctx.db.select().from(products).where(eq(products.slug, 'linen-shirt'));
    expect(shirt).toMatchObject({ price: 1999, compareAtPrice: 2499, currency: 'USD', reviewCount: 1, averageRating: '4.00' });
    const mugVariants = await app.ctx.db
      .select()
      .from(productVariants)
      .where(eq(productVariants.productId, importId('products.product', 2)));
    expect(mugVariants).toMatchObject([{ sku: 'MUG-1', stockQuantity: 12 }]); // its own stock as a default variant
    const [order] = await app.ctx.db.select().from(orders).where(eq(orders.orderNumber, 'ORD-2023-0001'));
    expect(order).toMatchObject({ status: 'delivered', subtotal: 3998, shippingCost: 500, total: 4498, email: user!.email });
    expect(order!.shippingAddress).toMatchObject({ line1: '1 Main Street', country: 'US' });
    const items = await app.ctx.db.select().from(orderItems).where(eq(orderItems.orderId, order!.id));
    expect(items).toMatchObject([
      { unitPrice: 1999, quantity: 2, lineTotal: 3998, variantId: importId('products.productvariant', 1) },
    ]);
    const history = await app.ctx.db.select().from(orderStatusHistory).where(eq(orderStatusHistory.orderId, order!.id));
    expect(history.map((h) => h.toStatus).sort()).toEqual(['delivered', 'paid']);
    const [payment] = await app.ctx.db.select().from(payments).where(eq(payments.orderId, order!.id));
    expect(payment).toMatchObject({
      provider: 'stripe',
      status: 'succeeded',
      amount: 4498,
      providerReference: 'pi_3Olddjango0001',
    });
    const wish = await app.ctx.db.select().from(wishlistItems).where(eq(wishlistItems.userId, user!.id));
    expect(wish.map((w) => w.productId)).toEqual([importId('products.product', 2)]);
    const [note] = await app.ctx.db.select().from(notifications).where(eq(notifications.userId, user!.id));
    expect(note).toMatchObject({ kind: 'order_delivered', title: 'Order delivered' });
    expect(note!.readAt).not.toBeNull();
  });

  it('importing the same export again gives the same rows', async () => {
    const before = await snapshot();
    const report = await run();
    expect(report.problems).toHaveLength(4);
    expect(await snapshot()).toEqual(before);
  });

  it('an imported user logs in with the old password; the hash becomes argon2id and a re-run keeps it', async () => {
    const login = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login/',
        payload: { email: 'casey.customer@example.com', password },
      });
    expect((await login('not-the-password')).statusCode).toBe(401);
    const res = await login(OLD_PASSWORD);
    expect(res.statusCode).toBe(200);
    const hashOf = async () =>
      (
        await app.ctx.db
          .select()
          .from(users)
          .where(inArray(users.id, [importId('accounts.user', 1)]))
      )[0]!.passwordHash;
    expect(await hashOf()).toMatch(/^\$argon2id\$/);
    await run();
    expect(await hashOf()).toMatch(/^\$argon2id\$/);
    expect((await login(OLD_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses an export that is not a list', async () => {
    const report = await importDjangoDump(app.ctx.db, { model: 'accounts.user' }, options());
    expect(report.problems).toMatchObject([{ kind: 'bad_row' }]);
    expect(report.models).toEqual([]);
  });
});
