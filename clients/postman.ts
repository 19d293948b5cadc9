// The Postman collection: openapi-to-postmanv2 converts the API's OpenAPI document, then this file makes it
// usable as is: a `baseUrl` variable, the auth flow scripted (login and refresh store `access`/`refresh` in
// collection variables; protected requests send `Bearer {{access}}`, public ones nothing), optional query
// parameters off, product/category requests wired to slugs the list requests remember, a Health folder, and
// no random ids, so regenerating an unchanged API gives an identical file.
import { convertV2 } from 'openapi-to-postmanv2';

interface PostmanUrl {
  raw?: string;
  path?: string[];
  query?: { key: string; value: string; disabled?: boolean; description?: unknown }[];
  variable?: { key: string; value: string; description?: unknown }[];
}
interface PostmanRequest {
  method: string;
  url: PostmanUrl;
  auth?: unknown;
  body?: { mode?: string; raw?: string };
  header?: unknown[];
}
interface PostmanEvent {
  listen: 'test' | 'prerequest';
  script: { type: 'text/javascript'; exec: string[] };
}
interface PostmanItem {
  id?: string;
  name: string;
  item?: PostmanItem[];
  request?: PostmanRequest;
  response?: unknown[];
  event?: PostmanEvent[];
}
export interface PostmanCollection {
  info: Record<string, unknown>;
  item: PostmanItem[];
  auth?: unknown;
  event?: PostmanEvent[];
  variable?: { key: string; value: string; type?: string }[];
}

const bearer = { type: 'bearer', bearer: [{ key: 'token', value: '{{access}}', type: 'string' }] };
const script = (listen: PostmanEvent['listen'], lines: string[]): PostmanEvent => ({
  listen,
  script: { type: 'text/javascript', exec: lines },
});

/** Scripts per "METHOD /path/" (path as in the OpenAPI document). */
const SCRIPTS: Record<string, PostmanEvent[]> = {
  'POST /api/v1/auth/login/': [
    script('test', [
      "pm.test('logged in', () => pm.response.to.have.status(200));",
      'const body = pm.response.json();',
      "pm.collectionVariables.set('access', body.access);",
      "pm.collectionVariables.set('refresh', body.refresh);",
    ]),
  ],
  'POST /api/v1/auth/token/refresh/': [
    script('test', [
      "pm.test('tokens rotated', () => pm.response.to.have.status(200));",
      'const body = pm.response.json();',
      "pm.collectionVariables.set('access', body.access);",
      "if (body.refresh) pm.collectionVariables.set('refresh', body.refresh);",
    ]),
  ],
  'POST /api/v1/auth/register/': [
    // a fresh address each run, so the request can be sent again; the next login uses the new account
    script('prerequest', [
      "pm.collectionVariables.set('register_email', 'postman-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@example.com');",
    ]),
    script('test', [
      "pm.test('registered', () => pm.response.to.have.status(201));",
      "pm.collectionVariables.set('email', pm.collectionVariables.get('register_email'));",
      "pm.collectionVariables.set('password', pm.collectionVariables.get('register_password'));",
    ]),
  ],
  'GET /api/v1/products/': [
    script('test', [
      'const first = pm.response.json().results?.[0];',
      "if (first) pm.collectionVariables.set('product_slug', first.slug);",
    ]),
  ],
  'GET /api/v1/products/categories/': [
    script('test', [
      'const body = pm.response.json();',
      'const first = Array.isArray(body) ? body[0] : body.results?.[0];',
      "if (first) pm.collectionVariables.set('category_slug', first.slug);",
    ]),
  ],
};

/** JSON bodies whose placeholders should carry the flow's variables. */
const BODIES: Record<string, string> = {
  'POST /api/v1/auth/login/': '{\n  "email": "{{email}}",\n  "password": "{{password}}"\n}',
  'POST /api/v1/auth/register/':
    '{\n  "email": "{{register_email}}",\n  "password": "{{register_password}}",\n  "first_name": "Postman",\n  "last_name": "Newcomer"\n}',
};

/** The OpenAPI path of a converted request: path segments with `:name` back to `{name}`. */
function openApiPath(url: PostmanUrl): string {
  return `/${(url.path ?? []).map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`;
}

function requiresAuth(operation: Operation | undefined): boolean {
  return Array.isArray(operation?.security) && operation.security.length > 0;
}

type Schema = Record<string, unknown>;

/**
 * A placeholder value for a schema, like the converter's `<string>`, but deterministic: the converter fakes
 * enum choices, pattern matches and map sizes at random, which would make every regeneration differ.
 */
function placeholder(schema: Schema | undefined, document: OpenApiDocument, depth = 0): unknown {
  if (!schema || depth > 8) return '<any>';
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace('#/components/schemas/', '');
    return placeholder(document.components?.schemas?.[target], document, depth + 1);
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return placeholder(variants.find((v) => v.type !== 'null') ?? variants[0], document, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, placeholder(value, document, depth + 1)]));
  }
  if (type === 'array') return [placeholder(schema.items as Schema | undefined, document, depth + 1)];
  if (type === 'string') return `<${typeof schema.format === 'string' ? schema.format : 'string'}>`;
  return `<${typeof type === 'string' ? type : 'any'}>`;
}

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

function adjustRequest(item: PostmanItem, document: OpenApiDocument) {
  const request = item.request;
  if (!request) return;
  const route = openApiPath(request.url);
  const key = `${request.method} ${route}`;
  const operation = document.paths[route]?.[request.method.toLowerCase()];
  request.auth = requiresAuth(operation) ? bearer : { type: 'noauth' };
  for (const query of request.url.query ?? []) {
    // every query parameter of this API is optional; an enabled "<integer>" placeholder would be a 400
    query.disabled = true;
    const parameter = operation?.parameters?.find((p) => p.in === 'query' && p.name === query.key);
    if (parameter) query.value = String(placeholder(parameter.schema, document));
  }
  for (const header of (request.header ?? []) as { key: string; value: string }[]) {
    const parameter = operation?.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === header.key.toLowerCase());
    if (parameter) header.value = String(placeholder(parameter.schema, document));
  }
  const jsonBody = operation?.requestBody?.content?.['application/json']?.schema;
  if (jsonBody && request.body?.mode === 'raw') request.body.raw = JSON.stringify(placeholder(jsonBody, document), null, 2);
  for (const variable of request.url.variable ?? []) {
    const parameter = operation?.parameters?.find((p) => p.in === 'path' && p.name === variable.key);
    if (parameter) variable.value = String(placeholder(parameter.schema, document));
    if (route.startsWith('/api/v1/products/categories/')) {
      if (variable.key === 'slug') variable.value = '{{category_slug}}';
    } else if (route.startsWith('/api/v1/products/{slug}') && variable.key === 'slug') {
      variable.value = '{{product_slug}}';
    }
  }
  if (request.body?.raw) request.body.raw = request.body.raw.replace(/"refresh": "<string>"/, '"refresh": "{{refresh}}"');
  const body = BODIES[key];
  if (body && request.body) request.body.raw = body;
  item.event = SCRIPTS[key] ?? [];
  item.response = []; // the converter's faked examples: large, and the OpenAPI document describes the responses
  delete item.id;
}

function walk(items: PostmanItem[], visit: (item: PostmanItem) => void) {
  for (const item of items) {
    if (item.item) {
      delete item.id;
      walk(item.item, visit);
    } else visit(item);
  }
}

const healthItem = (name: string, path: string): PostmanItem => ({
  name,
  request: {
    method: 'GET',
    url: { raw: `{{baseUrl}}/${path}/`, host: ['{{baseUrl}}'], path: [path, ''] } as PostmanUrl,
    auth: { type: 'noauth' },
    header: [{ key: 'Accept', value: 'application/json' }],
  },
  response: [],
  event: [script('test', ["pm.test('answers 200', () => pm.response.to.have.status(200));"])],
});

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

function convert(document: unknown): Promise<PostmanCollection> {
  return new Promise((resolve, reject) => {
    const options = { folderStrategy: 'Tags', requestNameSource: 'Fallback', parametersResolution: 'Schema' } as const;
    convertV2({ type: 'json', data: document } as Parameters<typeof convertV2>[0], options, (error, result) => {
      if (error) return reject(error);
      const output = result as { result: boolean; reason?: string; output?: { data: PostmanCollection }[] };
      const collection = output.output?.[0]?.data;
      if (!output.result || !collection) return reject(new Error(`OpenAPI -> Postman conversion failed: ${output.reason}`));
      resolve(collection);
    });
  });
}

/** The collection `npm run postman` writes (clients/postman/emporium.postman_collection.json). */
export async function postmanCollection(document: Record<string, unknown>): Promise<PostmanCollection> {
  const collection = await convert(document);
  walk(collection.item, (item) => adjustRequest(item, document as unknown as OpenApiDocument));
  collection.item.unshift({ name: 'health', item: [healthItem('Liveness', 'health'), healthItem('Readiness', 'ready')] });
  collection.info = {
    name: 'Emporium API',
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    description:
      'Generated from the Emporium OpenAPI document by `npm run postman`. Set `baseUrl`; run "Log in" (demo customer by ' +
      'default, or the account "Create an account" just made) and the protected requests send `Bearer {{access}}`.',
  };
  collection.auth = bearer;
  collection.variable = [
    { key: 'baseUrl', value: 'http://localhost:8000', type: 'string' },
    { key: 'email', value: 'customer@emporium.local', type: 'string' },
    { key: 'password', value: 'customer-demo-pass', type: 'string' },
    { key: 'register_email', value: '', type: 'string' },
    { key: 'register_password', value: 'postman-granite-otter', type: 'string' },
    { key: 'access', value: '', type: 'string' },
    { key: 'refresh', value: '', type: 'string' },
    { key: 'product_slug', value: '', type: 'string' },
    { key: 'category_slug', value: '', type: 'string' },
  ];
  return collection;
}
