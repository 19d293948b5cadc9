// Media storage against real protocols: local disk served by the app, and S3 through the official SDK
// against s3rver, a local fake S3 server (we cannot reach AWS here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLocalStorage, createS3Storage } from '../../src/core/storage.js';
import { makeProduct } from '../factories/catalog.js';
import { authHeader, makeStaff } from '../factories/users.js';
import { createTestApp } from '../setup/test-app.js';

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('local storage', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-media-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const storage = createLocalStorage(loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://shop.test' }));

  it('writes files under DATA_DIR/media and gives absolute media URLs', async () => {
    await storage.put('products/p1/a.png', png, 'image/png');
    expect(fs.readFileSync(path.join(dataDir, 'media/products/p1/a.png'))).toEqual(png);
    expect(storage.url('products/p1/a.png')).toBe('https://shop.test/media/products/p1/a.png');
    await storage.delete('products/p1/a.png', 'products/p1/missing.png');
    expect(fs.existsSync(path.join(dataDir, 'media/products/p1/a.png'))).toBe(false);
  });

  it('refuses keys that would leave the media folder', async () => {
    await expect(storage.put('../escape.png', png, 'image/png')).rejects.toThrow(/unsafe/);
  });
});

describe('S3-compatible storage', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-s3-'));
  let server: S3rver;
  let endpoint: string;

  beforeAll(async () => {
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: [{ name: 'media', configs: [] }],
    });
    const { port } = (await server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const s3 = () =>
    createS3Storage(
      loadConfig({ S3_BUCKET: 'media', S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' }),
    );

  it('uploads with the content type and serves it at the returned URL', async () => {
    const storage = s3();
    await storage.put('products/p1/b.png', png, 'image/png');
    const url = storage.url('products/p1/b.png');
    expect(url).toBe(`${endpoint}/media/products/p1/b.png`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
  });

  it('stores an uploaded product image and its thumbnail in the bucket', async () => {
    const app = await createTestApp({
      env: { S3_BUCKET: 'media', S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    try {
      const product = await makeProduct(app);
      const image = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#c33' } })
        .png()
        .toBuffer();
      const boundary = 'emporium-s3-boundary';
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        image,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/products/${product.slug}/images/`,
        payload,
        headers: {
          ...(await authHeader(app, await makeStaff(app))),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      });
      expect(res.statusCode).toBe(201);
      const { url, thumbnail_url } = res.json();
      expect(url.startsWith(`${endpoint}/media/`)).toBe(true);
      const original = await fetch(url);
      expect(Buffer.from(await original.arrayBuffer())).toEqual(image);
      const thumb = Buffer.from(await (await fetch(thumbnail_url)).arrayBuffer());
      expect((await sharp(thumb).metadata()).width).toBe(400);
    } finally {
      await app.close();
    }
  });

  it('deletes objects', async () => {
    const storage = s3();
    await storage.put('products/p1/c.png', png, 'image/png');
    await storage.delete('products/p1/c.png');
    expect((await fetch(storage.url('products/p1/c.png'))).status).toBe(404);
  });
});
