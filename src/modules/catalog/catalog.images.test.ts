import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { authHeader, makeUser } from '../../../test/factories/users.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { sniffImageType } from './images.service.js';

const LIMIT = 64 * 1024;

const { app, staff } = useTestApp({ env: { MAX_UPLOAD_BYTES: String(LIMIT) }, staff: true });

const picture = (format: 'png' | 'jpeg' | 'webp' | 'avif', size = 900) =>
  sharp({ create: { width: size, height: Math.round(size / 2), channels: 3, background: { r: 200, g: 30, b: 30 } } })
    [format]()
    .toBuffer();

function multipart(file: Buffer, filename: string, fields: Record<string, string> = {}) {
  const boundary = '----emporium-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(slug: string, file: Buffer, filename = 'photo.jpg', fields: Record<string, string> = {}, headers = staff) {
  const body = multipart(file, filename, fields);
  return app.inject({
    method: 'POST',
    url: `/api/v1/products/${slug}/images/`,
    payload: body.payload,
    headers: { ...headers, ...body.headers },
  });
}

describe('image upload', () => {
  it('stores an image with a thumbnail and shows it on the product', async () => {
    const product = await makeProduct(app);
    // the detail is cached before the upload, so the check below also proves the upload invalidated it
    expect((await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json().images).toEqual([]);
    const res = await upload(product.slug, await picture('png'), 'photo.png', { alt_text: 'Front view' });
    expect(res.statusCode).toBe(201);
    const image = res.json();
    expect(image).toMatchObject({ alt_text: 'Front view', is_primary: true, width: 900, height: 450, position: 0 });
    expect(image.url).toMatch(/\/media\/products\/.+\.png$/);
    const thumbnail = path.join(app.ctx.config.dataDir, 'media', new URL(image.thumbnail_url).pathname.replace('/media/', ''));
    expect((await sharp(fs.readFileSync(thumbnail)).metadata()).width).toBe(400);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail.images.map((i: { id: string }) => i.id)).toEqual([image.id]);
    const served = await app.inject({ method: 'GET', url: new URL(image.url).pathname });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    // storefronts on other origins show it: the route overrides helmet's same-origin resource policy
    expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it.each(['jpeg', 'webp', 'avif'] as const)('accepts %s images', async (format) => {
    const product = await makeProduct(app);
    const res = await upload(product.slug, await picture(format, 300));
    expect(res.statusCode).toBe(201);
    expect(res.json().url).toMatch(new RegExp(`\\.${format === 'jpeg' ? 'jpg' : format}$`));
  });

  it('refuses a non-image renamed .jpg', async () => {
    const product = await makeProduct(app);
    const res = await upload(product.slug, Buffer.from('%PDF-1.7 definitely not a picture'), 'invoice.jpg');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toHaveProperty('image');
  });

  it('refuses a file with image magic bytes that does not decode', async () => {
    const product = await makeProduct(app);
    const res = await upload(product.slug, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]));
    expect(res.statusCode).toBe(400);
  });

  it('refuses a file over the size limit with 413', async () => {
    const product = await makeProduct(app);
    const big = Buffer.concat([await picture('jpeg', 100), Buffer.alloc(LIMIT + 1)]);
    const res = await upload(product.slug, big);
    expect(res.statusCode).toBe(413);
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail.images).toEqual([]);
  });

  it('makes a new primary image replace the old one, and promotes the next after delete', async () => {
    const product = await makeProduct(app);
    const first = (await upload(product.slug, await picture('png', 200))).json();
    const second = (await upload(product.slug, await picture('png', 200), 'b.png', { is_primary: 'true' })).json();
    let detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail.images.map((i: { id: string; is_primary: boolean }) => [i.id, i.is_primary])).toEqual([
      [second.id, true],
      [first.id, false],
    ]);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/products/${product.slug}/images/${second.id}/`,
      headers: staff,
    });
    expect(del.statusCode).toBe(204);
    detail = (await app.inject({ method: 'GET', url: `/api/v1/products/${product.slug}/` })).json();
    expect(detail.images).toMatchObject([{ id: first.id, is_primary: true }]);
  });

  it('refuses uploads from customers', async () => {
    const product = await makeProduct(app);
    const res = await upload(product.slug, await picture('png', 50), 'a.png', {}, await authHeader(app, await makeUser(app)));
    expect(res.statusCode).toBe(403);
  });
});

describe('sniffImageType', () => {
  it('reads the type from magic bytes, not the name', async () => {
    expect(sniffImageType(await picture('png', 10))).toBe('image/png');
    expect(sniffImageType(await picture('jpeg', 10))).toBe('image/jpeg');
    expect(sniffImageType(await picture('webp', 10))).toBe('image/webp');
    expect(sniffImageType(await picture('avif', 10))).toBe('image/avif');
    expect(sniffImageType(Buffer.from('GIF89a......'))).toBeUndefined();
  });
});
