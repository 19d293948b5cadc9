// Memory: an API process loads the SDKs of optional integrations (Sentry, Stripe, S3, SMTP, RabbitMQ, image
// processing) only when it uses them. Each costs 10-40 MB of RSS; together they were a third of an idle
// process. The server is started as `npm start` runs it, and the packages it resolved are read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookTimeout, type ServerProcess, startServer } from './support/processes.js';

/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const LAZY = ['@sentry/node', 'stripe', '@aws-sdk/client-s3', 'nodemailer', 'amqplib', 'sharp'];

describe('optional integrations are loaded on first use', () => {
  let server: ServerProcess;
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-modules-')), 'modules.log');
  const loaded = () => {
    const urls = fs.readFileSync(log, 'utf8').split('\n');
    return LAZY.filter((name) => urls.some((url) => url.includes(`/node_modules/${name}/`)));
  };

  beforeAll(async () => {
    const hook = path.resolve(import.meta.dirname, 'support/module-log.mjs');
    server = await startServer({ NODE_OPTIONS: `--import ${hook}`, MODULE_LOG: log });
  }, hookTimeout());
  afterAll(() => server?.stop());

  it('serves the catalog without loading any of them', async () => {
    const res = await fetch(`${server.base}/api/v1/products/`);
    expect(res.status).toBe(200);
    expect(fs.readFileSync(log, 'utf8')).toContain('/node_modules/fastify/'); // the log does record packages
    expect(loaded()).toEqual([]);
  });

  it('loads sharp when the first image is uploaded, and only then', async () => {
    const login = await fetch(`${server.base}/api/v1/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@emporium.local', password: 'admin-demo-pass' }),
    });
    expect(login.status).toBe(200);
    const { access } = (await login.json()) as { access: string };
    const { results } = (await (await fetch(`${server.base}/api/v1/products/`)).json()) as { results: { slug: string }[] };
    const upload = (bytes: Buffer) => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'x.png');
      return fetch(`${server.base}/api/v1/products/${results[0]?.slug}/images/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access}` },
        body: form,
      });
    };
    expect((await upload(Buffer.from('not an image'))).status).toBe(400); // refused before sharp is needed
    expect(loaded()).toEqual([]);
    expect((await upload(PNG)).status).toBe(201);
    expect(loaded()).toEqual(['sharp']);
  });
});
