// CSV product import: a 1,000-row file is validated (dry run lists the bad rows, writes nothing), refused whole
// while it has errors, imported once fixed, and a re-import updates instead of duplicating.
import { count, eq, like } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { products, productVariants } from '../catalog/catalog.tables.js';

const { app, staff, customer } = useTestApp({ staff: true, customer: true });
beforeAll(async () => {
  await makeCategory(app, { name: 'Import Cat', slug: 'import-cat' });
});

const HEADER =
  'product_slug,product_name,category_slug,description,is_active,is_featured,variant_sku,variant_name,price,stock_quantity,low_stock_threshold';

/** 200 products x 5 variants = 1,000 rows; `stock` lets a re-import change something. */
function bigFile(stock = 7): string[] {
  const lines: string[] = [];
  for (let p = 0; p < 200; p++) {
    for (let v = 0; v < 5; v++) {
      const name = v === 0 ? `"Imported, Product ${p}"` : '';
      lines.push(`imp-${p},${name},import-cat,,true,false,IMP-${p}-${v},Size ${v},${10 + v}.50,${stock},3`);
    }
  }
  return lines;
}

const post = (csv: string, dryRun: boolean, headers: Record<string, string> = staff) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/admin/products/import/?dry_run=${dryRun}`,
    headers: { ...headers, 'content-type': 'text/csv' },
    payload: csv,
  });
const importedVariants = async () =>
  Number((await app.ctx.db.select({ n: count() }).from(productVariants).where(like(productVariants.sku, 'IMP-%')))[0]?.n);
const importedProducts = async () =>
  Number((await app.ctx.db.select({ n: count() }).from(products).where(like(products.slug, 'imp-%')))[0]?.n);

describe('CSV import', () => {
  it('dry-runs 1,000 rows: reports the bad rows by line and writes nothing; a real run refuses them all', async () => {
    const rows = bigFile();
    rows[4] = 'imp-0,,import-cat,,true,false,IMP-0-4,Size 4,12.345,7,3'; // line 6: three decimals
    rows[11] = 'imp-2,,import-cat,,true,false,,Size 1,10.50,7,3'; // line 13: no SKU
    rows[21] = 'imp-4,,import-cat,,maybe,false,IMP-4-1,Size 1,10.50,-1,3'; // line 23: two errors
    const csv = [HEADER, ...rows].join('\n');
    const dry = await post(csv, true);
    expect(dry.statusCode, dry.body).toBe(200);
    const report = dry.json();
    expect(report).toMatchObject({ dry_run: true, applied: false, rows: 1000, valid_rows: 997, error_count: 4 });
    expect(report.errors).toEqual([
      { row: 6, field: 'price', message: expect.any(String) },
      { row: 13, field: 'variant_sku', message: 'This field is required.' },
      { row: 23, field: 'is_active', message: expect.any(String) },
      { row: 23, field: 'stock_quantity', message: expect.any(String) },
    ]);
    expect(report.products).toEqual({ created: 200, updated: 0 });
    expect(report.variants).toEqual({ created: 997, updated: 0 });
    expect(report.results[0]).toEqual({
      row: 2,
      product_slug: 'imp-0',
      variant_sku: 'IMP-0-0',
      product_action: 'create',
      variant_action: 'create',
    });
    expect(await importedVariants()).toBe(0);

    const real = await post(csv, false);
    expect(real.statusCode).toBe(400);
    expect(real.json()).toMatchObject({ code: 'import_invalid', error_count: 4, errors: { file: [expect.any(String)] } });
    expect(real.json().row_errors).toEqual(report.errors);
    expect(await importedVariants()).toBe(0);
    expect(await importedProducts()).toBe(0);
  });

  it('imports 1,000 good rows once, and a re-import updates instead of duplicating', async () => {
    const res = await post([HEADER, ...bigFile()].join('\n'), false);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      applied: true,
      valid_rows: 1000,
      error_count: 0,
      products: { created: 200, updated: 0 },
      variants: { created: 1000, updated: 0 },
    });
    expect(await importedProducts()).toBe(200);
    expect(await importedVariants()).toBe(1000);
    const detail = (await app.inject({ method: 'GET', url: '/api/v1/products/imp-3/' })).json();
    expect(detail).toMatchObject({
      name: 'Imported, Product 3',
      price: '10.50',
      category: { slug: 'import-cat' },
      stock_quantity: 35,
    });
    expect(detail.variants.map((v: { sku: string; price: string }) => [v.sku, v.price])).toEqual([
      ['IMP-3-0', '10.50'],
      ['IMP-3-1', '11.50'],
      ['IMP-3-2', '12.50'],
      ['IMP-3-3', '13.50'],
      ['IMP-3-4', '14.50'],
    ]);

    const again = await post([HEADER, ...bigFile(2)].join('\n'), false);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ products: { created: 0, updated: 200 }, variants: { created: 0, updated: 1000 } });
    expect(await importedProducts()).toBe(200);
    expect(await importedVariants()).toBe(1000);
    const [variant] = await app.ctx.db.select().from(productVariants).where(eq(productVariants.sku, 'IMP-3-1'));
    expect(variant).toMatchObject({ stockQuantity: 2, lowStockThreshold: 3, price: 1150 });
  });

  it('accepts the file as a multipart upload', async () => {
    const boundary = '----emporium-test';
    const csv = `${HEADER}\nmp-one,Multipart One,,Desc,true,true,MP-ONE-1,Only,5.00,1,1\n`;
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="products.csv"',
      'Content-Type: text/csv',
      '',
      csv,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/products/import/?dry_run=false',
      headers: { ...staff, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    const detail = (await app.inject({ method: 'GET', url: '/api/v1/products/mp-one/' })).json();
    expect(detail).toMatchObject({ name: 'Multipart One', is_featured: true, price: '5.00' });
  });

  it('reports a SKU of another product, a duplicate SKU and a new product without a name or price', async () => {
    const other = await makeProduct(app);
    const csv = [
      HEADER,
      `clash,Clash,,,,,${other.variants[0]?.sku},,1.00,1,1`,
      'dup,Dup,,,,,DUP-1,,1.00,1,1',
      'dup,,,,,,DUP-1,,1.00,1,1',
      'nameless,,,,,,NAMELESS-1,,,1,1',
      'catless,Catless,no-such-category,,,,CATLESS-1,,1.00,1,1',
    ].join('\n');
    const report = (await post(csv, true)).json();
    expect(report.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [2, 'variant_sku'],
      [4, 'variant_sku'],
      [5, 'product_name'],
      [5, 'price'],
      [6, 'category_slug'],
    ]);
  });

  it('answers 400 for a broken or foreign file, and refuses anonymous callers and customers', async () => {
    for (const csv of ['', 'name,price\nx,1', `${HEADER}\n"unterminated,quote`, 'product_slug\nx']) {
      const res = await post(csv, true);
      expect(res.statusCode, csv).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/products/import/?dry_run=false',
      headers: { ...staff, 'content-type': 'application/json' },
      payload: { rows: [] },
    });
    expect(res.statusCode).toBe(415); // a JSON body is not a CSV file: unsupported media type, as on image uploads
    const good = `${HEADER}\nnope-anon,Nope,,,,,NOPE-1,,1.00,1,1`;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/admin/products/import/?dry_run=false',
          headers: { 'content-type': 'text/csv' },
          payload: good,
        })
      ).statusCode,
    ).toBe(401);
    expect((await post(good, false, customer)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/products/nope-anon/' })).statusCode).toBe(404);
  });
});
