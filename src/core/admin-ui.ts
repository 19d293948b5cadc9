// Serves the built admin UI (admin/, built by `npm run build` into dist/admin) at /admin/ on the API's own
// origin: hashed assets cached for a year as immutable, index.html never cached and returned for every other
// /admin/ path so deep links survive a reload, and a strict Content-Security-Policy (no inline scripts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** dist/admin next to the compiled server (dist/src/core -> dist/admin) or, from the sources, under dist/. */
export function findAdminBuild(): string | undefined {
  const candidates = [path.resolve(here, '../../admin'), path.resolve(here, '../../dist/admin')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')) && fs.existsSync(path.join(dir, 'assets')));
}

function originOf(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//.test(url)) return undefined;
  return new URL(url).origin;
}

/** The admin's CSP: scripts only from this origin; MUI's runtime styles need inline styles (no scripts). */
export function adminCsp(config: Config): string {
  // media URLs are absolute (PUBLIC_URL, or S3's public URL), possibly another origin than the admin's
  const media = [config.publicUrl, config.mediaUrl, config.s3.publicUrl, config.s3.endpoint].map(originOf).filter(Boolean);
  const imgSrc = [...new Set(media)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${imgSrc}`.trim(),
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function registerAdminUi(app: FastifyInstance, config: Config, root = findAdminBuild()) {
  const csp = adminCsp(config);
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', csp);
      return payload;
    });

    if (!root) {
      const notBuilt = async (_request: unknown, reply: FastifyReply) =>
        reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send('The admin UI is not built: run `npm run build`.');
      scope.get('/admin', { schema: { hide: true } }, notBuilt);
      scope.get('/admin/*', { schema: { hide: true } }, notBuilt);
      return;
    }

    await scope.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/admin/assets/',
      decorateReply: false,
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: '365d',
    });

    // read per request (a small file, rarely asked for): a rebuild while the server runs is picked up
    const indexFile = path.join(root, 'index.html');
    const sendIndex = async (_request: unknown, reply: FastifyReply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(await fs.promises.readFile(indexFile));
    scope.get('/admin', { schema: { hide: true } }, sendIndex);
    // every client-side route (/admin/orders/<id>, /admin/products/...) gets the shell; the router takes over
    scope.get('/admin/*', { schema: { hide: true } }, sendIndex);
  });
}
