// File storage behind one small interface: local disk under DATA_DIR/media, served at MEDIA_URL by this
// process (embedded default), or an S3-compatible bucket (S3_BUCKET and friends) that serves files itself.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import type { App } from './module.js';

export interface Storage {
  kind: 'local' | 's3';
  /** Stores `body` under `key` (e.g. `products/<id>/<image>.jpg`), replacing what was there. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Deletes keys; missing keys are not an error. */
  delete(...keys: string[]): Promise<void>;
  /** The URL clients fetch the file from. */
  url(key: string): string;
}

const SAFE_KEY = /^[a-zA-Z0-9][a-zA-Z0-9/_.-]*$/;

function checkKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe storage key: ${key}`);
  return key;
}

export const localMediaDir = (config: Config) => path.join(config.dataDir, 'media');

/** The local media URL prefix; a relative MEDIA_URL is resolved against PUBLIC_URL in stored URLs. */
function mediaBase(config: Config): string {
  const base = config.mediaUrl.endsWith('/') ? config.mediaUrl : `${config.mediaUrl}/`;
  return /^https?:\/\//.test(base) ? base : new URL(base, config.publicUrl).toString();
}

export function createLocalStorage(config: Config): Storage {
  const root = localMediaDir(config);
  return {
    kind: 'local',
    async put(key, body) {
      const file = path.join(root, checkKey(key));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, body);
    },
    async delete(...keys) {
      await Promise.all(keys.map((key) => fs.rm(path.join(root, checkKey(key)), { force: true })));
    },
    url: (key) => `${mediaBase(config)}${key}`,
  };
}

/** Any S3-compatible store (AWS, MinIO, R2...); a custom endpoint implies path-style addressing. */
export function createS3Storage(config: Config): Storage {
  const { bucket, region, endpoint, accessKeyId, secretAccessKey, publicUrl } = config.s3;
  if (!bucket) throw new Error('S3_BUCKET is not set');
  // the SDK (~20 MB) is loaded only when S3 is configured, on the first upload
  const sdk = import('@aws-sdk/client-s3');
  sdk.catch(() => {}); // reported by the first put/delete that awaits it
  let client: S3Client | undefined;
  const s3 = async () => {
    const { S3Client } = await sdk;
    client ??= new S3Client({
      region,
      endpoint,
      forcePathStyle: Boolean(endpoint),
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    });
    return { client, ...(await sdk) };
  };
  const base = (
    publicUrl ?? (endpoint ? `${endpoint.replace(/\/$/, '')}/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`)
  ).replace(/\/$/, '');
  return {
    kind: 's3',
    async put(key, body, contentType) {
      const { client, PutObjectCommand } = await s3();
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: checkKey(key),
          Body: body,
          ContentType: contentType,
          // keys are never reused (each upload gets a new id), so clients may cache forever
          CacheControl: 'public, max-age=31536000, immutable',
        }),
      );
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      const { client, DeleteObjectsCommand } = await s3();
      await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((key) => ({ Key: checkKey(key) })) } }),
      );
    },
    url: (key) => `${base}/${key}`,
  };
}

export function createStorage(config: Config): Storage {
  return config.s3.bucket ? createS3Storage(config) : createLocalStorage(config);
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
};

/**
 * Serves local media at MEDIA_URL's path when storage is local and MEDIA_URL is a path on this server. In
 * production Nginx or the bucket serves files; this keeps the embedded default self-contained.
 */
export function registerMediaRoute(app: App, config: Config): void {
  if (config.s3.bucket || /^https?:\/\//.test(config.mediaUrl)) return;
  const prefix = config.mediaUrl.endsWith('/') ? config.mediaUrl : `${config.mediaUrl}/`;
  const root = localMediaDir(config);
  app.get(`${prefix}*`, { schema: { hide: true } }, async (request, reply) => {
    const key = (request.params as { '*': string })['*'];
    if (!SAFE_KEY.test(key) || key.includes('..')) return reply.callNotFound();
    const file = path.join(root, key);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return reply.callNotFound();
    return (
      reply
        .type(CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
        .header('content-length', stat.size)
        .header('cache-control', 'public, max-age=31536000, immutable')
        // helmet's same-origin default would stop storefronts on other origins from showing product images
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(createReadStream(file))
    );
  });
}
