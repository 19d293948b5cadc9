// How DRF-era clients and HTML forms talk to an API, accepted here as DRF accepts it:
// - a POST/PUT/PATCH without a body, or with an empty body and a JSON content type, is `{}`;
// - application/x-www-form-urlencoded and multipart/form-data bodies are parsed into the same object a JSON
//   body gives and validated by the same schema (files only on routes that declare `consumes` multipart;
//   such routes refuse other media types with 415);
// - OPTIONS that is not a CORS preflight answers 200 with `Allow` and DRF's metadata;
// - `page_size` above the route's maximum is clamped, `page_size=0` or junk gives the default;
// - `?format=json` is accepted and ignored (no route declares a `format` query parameter).
import formbody from '@fastify/formbody';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError, type FieldErrors, ValidationFailed } from './errors.js';

const PARSES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class UnsupportedMediaType extends AppError {
  constructor(contentType: string | undefined, expected: string) {
    super(
      415,
      'unsupported_media_type',
      'Unsupported Media Type',
      `Unsupported media type "${contentType ?? ''}" in request; send ${expected}.`,
    );
  }
}

export interface RequestHabitOptions {
  /** Largest accepted upload (MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
}

export async function registerRequestHabits(app: FastifyInstance, options: RequestHabitOptions): Promise<void> {
  // Fastify refuses an empty body sent as JSON; DRF reads it as no data, i.e. {}
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    return parseJson(request, text, done);
  });
  await app.register(formbody);
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 100, parts: 101, fieldSize: 100_000 },
  });

  const routes = collectRoutes(app);
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS' || isCorsPreflight(request)) return;
    const path = request.url.split('?')[0] ?? '/';
    const match = routes.match(path);
    if (!match) return reply.callNotFound();
    return reply
      .code(200)
      .header('allow', match.methods.join(', '))
      .send({ name: match.name, description: match.description, renders: ['application/json'], parses: PARSES });
  });

  app.addHook('preValidation', async (request) => {
    clampPageSize(request);
    const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
    if (consumes?.includes('multipart/form-data')) {
      // a file route: its handler reads the parts itself; other media types only where the route lists them
      if (request.isMultipart()) return;
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!consumes.includes(type)) throw new UnsupportedMediaType(request.headers['content-type'], consumes.join(' or '));
      return;
    }
    if (request.isMultipart()) request.body = await formFields(request);
    else if (request.body === undefined && BODY_METHODS.has(request.method)) request.body = {};
  });
}

const isCorsPreflight = (request: FastifyRequest) =>
  Boolean(request.headers.origin && request.headers['access-control-request-method']);

/** The fields of a multipart body as an object (repeated names become arrays); a file part is a field error. */
async function formFields(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      (part as MultipartFile).file.resume(); // drain it so the request completes
      errors[part.fieldname] = ['File uploads are not accepted here.'];
      continue;
    }
    if (FORBIDDEN_KEYS.has(part.fieldname)) continue;
    const previous = body[part.fieldname];
    body[part.fieldname] =
      previous === undefined ? part.value : Array.isArray(previous) ? [...previous, part.value] : [previous, part.value];
  }
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return body;
}

/** DRF's page_size: clamped to the route's maximum; zero, negative or junk means the default. */
function clampPageSize(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query || query.page_size === undefined) return;
  const schema = (request.routeOptions.schema as { querystring?: { properties?: Record<string, { maximum?: number }> } })
    ?.querystring?.properties?.page_size;
  if (!schema) return;
  const raw = Array.isArray(query.page_size) ? query.page_size[0] : query.page_size;
  const size = /^\s*\d+\s*$/.test(String(raw)) ? Number.parseInt(String(raw), 10) : Number.NaN;
  if (!Number.isSafeInteger(size) || size <= 0) delete query.page_size;
  else query.page_size = String(schema.maximum !== undefined ? Math.min(size, schema.maximum) : size);
}

interface RouteEntry {
  pattern: RegExp;
  /** How many segments are parameters or wildcards (fewer = more specific). */
  dynamic: number;
  methods: Set<string>;
  name: string;
  description: string;
}

/** Every route's path pattern and methods, to answer OPTIONS for a concrete path. */
function collectRoutes(app: FastifyInstance) {
  const byUrl = new Map<string, RouteEntry>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().filter((m) => m !== 'OPTIONS');
    if (methods.length === 0 || route.url === '*') return;
    const url = trimSlash(route.url);
    let entry = byUrl.get(url);
    if (!entry) {
      const dynamic = url.split('/').filter((segment) => segment.startsWith(':') || segment.includes('*')).length;
      entry = { pattern: patternOf(url), dynamic, methods: new Set(), name: '', description: '' };
      byUrl.set(url, entry);
    }
    for (const method of methods) entry.methods.add(method);
    if (methods.includes('GET')) entry.methods.add('HEAD');
    const schema = route.schema as { summary?: string; description?: string } | undefined;
    if (!entry.name && schema?.summary) entry.name = schema.summary;
    if (!entry.description && schema?.description) entry.description = schema.description;
  });
  const order = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
  return {
    match(path: string) {
      const target = trimSlash(path);
      // the most specific route wins, as in the router (`/users/me/` before `/users/:id/`)
      let best: RouteEntry | undefined;
      for (const entry of byUrl.values()) {
        if (entry.pattern.test(target) && (!best || entry.dynamic < best.dynamic)) best = entry;
      }
      if (!best) return undefined;
      const methods = [...best.methods, 'OPTIONS'].sort((a, b) => rank(order, a) - rank(order, b));
      return { methods, name: best.name, description: best.description };
    },
  };
}

const rank = (order: string[], method: string) => (order.includes(method) ? order.indexOf(method) : order.length);
const trimSlash = (url: string) => (url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url);

function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*$/, '.*');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
