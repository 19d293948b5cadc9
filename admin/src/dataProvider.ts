// DRF-style data provider: react-admin's calls -> Emporium's REST paths. Lists are `?page=&page_size=` +
// `ordering` (`-field` = DESC) + filters as query parameters, answered as `{count, results}`; problem+json
// field errors reach the form fields (see http.ts). Products are addressed by slug, as the API does.
import { type DataProvider, type GetListParams, HttpError, type Identifier, type RaRecord } from 'ra-core';
import type { ApiClient } from './http';

interface ResourceConfig {
  path: string;
  /** Query parameters every list request of this resource carries. */
  listQuery?: Record<string, unknown>;
  /** The API serves the whole collection as a tree (no pages): flatten and page it here. */
  tree?: boolean;
  /** Record key used in the URL when it is not `id`. */
  key?: 'slug';
  /** Only these orderings are accepted by the API; anything else is dropped (the API would 400). */
  orderings?: string[];
  /** A nested collection (`/users/{user}/addresses`): listed only through its parent, named by this filter. */
  parent?: string;
}

export const RESOURCES: Record<string, ResourceConfig> = {
  products: {
    path: '/products',
    listQuery: { include_inactive: true },
    key: 'slug',
    orderings: ['price', 'created_at', 'name', 'rating'],
  },
  categories: { path: '/products/categories', listQuery: { include_inactive: true }, tree: true, key: 'slug' },
  orders: { path: '/orders', listQuery: { all: true }, orderings: ['created_at', 'total', 'order_number'] },
  customers: { path: '/users', orderings: ['date_joined', 'email'] },
  coupons: { path: '/coupons', orderings: ['code', 'created_at', 'used_count'] },
  reviews: { path: '/admin/reviews' },
  jobs: { path: '/admin/jobs' },
  audit: { path: '/audit-log' },
  addresses: { path: '/users/{user}/addresses', parent: 'user' },
  payments: { path: '/payments' },
};

function config(resource: string): ResourceConfig {
  const found = RESOURCES[resource];
  if (!found) throw new Error(`Unknown resource ${resource}`);
  return found;
}

// biome-ignore lint/suspicious/noExplicitAny: records are the API's JSON
type Json = Record<string, any>;

/** react-admin list params -> the API's query string values. */
export function listQuery(resource: string, params: Partial<GetListParams>): Record<string, unknown> {
  const cfg = config(resource);
  const query: Record<string, unknown> = { ...cfg.listQuery };
  if (params.pagination) {
    query.page = params.pagination.page;
    query.page_size = params.pagination.perPage;
  }
  const sort = params.sort;
  if (sort?.field && sort.field !== 'id') {
    const field = sort.field === 'average_rating' ? 'rating' : sort.field;
    if (!cfg.orderings || cfg.orderings.includes(field)) query.ordering = sort.order === 'DESC' ? `-${field}` : field;
  }
  for (const [name, value] of Object.entries(params.filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    query[name === 'q' ? 'search' : name] = value;
  }
  return query;
}

/** A record as react-admin wants it: products get `id` = slug (the API's key) and keep the uuid in `uuid`. */
function toRecord(resource: string, json: Json): RaRecord {
  const cfg = config(resource);
  if (resource === 'products') return { ...json, uuid: json.id, id: json.slug, category_slug: json.category?.slug ?? null };
  if (cfg.key === 'slug') return { ...json, uuid: json.id, id: json.slug };
  return json as RaRecord;
}

/** The category tree as rows in display order, each with its depth and its parent's slug. */
export function flattenTree(nodes: Json[], depth = 0, parentSlug: string | null = null, out: Json[] = []): Json[] {
  for (const node of nodes) {
    const { children, ...rest } = node;
    out.push({ ...rest, uuid: node.id, id: node.slug, depth, parent_slug: parentSlug, child_count: children?.length ?? 0 });
    flattenTree(children ?? [], depth + 1, node.slug, out);
  }
  return out;
}

/** Money strings and percents as the API expects them ("19.9" -> "19.90" is the API's job; we trim). */
function cleanBody(data: Json, previous?: Json): Json {
  const body: Json = {};
  for (const [k, v] of Object.entries(data)) {
    if (['id', 'uuid', 'created_at', 'updated_at', 'depth', 'child_count', 'children'].includes(k)) continue;
    if (previous && JSON.stringify(previous[k]) === JSON.stringify(v)) continue;
    body[k] = v;
  }
  return body;
}

const PRODUCT_FIELDS = ['name', 'slug', 'description', 'price', 'compare_at_price', 'is_active', 'is_featured'];
const CATEGORY_FIELDS = ['name', 'slug', 'description', 'position', 'is_active'];

/** The form's product fields as the API's body; the category goes by slug (`category`, null = none). */
function productBody(data: Json): Json {
  const body = pick(data, PRODUCT_FIELDS);
  if (data.category_slug !== undefined) body.category = data.category_slug || null;
  return body;
}

function categoryBody(data: Json): Json {
  const body = pick(data, CATEGORY_FIELDS);
  if (data.parent_slug !== undefined) body.parent = data.parent_slug || null;
  return body;
}
const VARIANT_FIELDS = ['sku', 'name', 'options', 'stock_quantity', 'low_stock_threshold', 'is_active', 'position'];

const NULLABLE = new Set(['compare_at_price']);

/** The listed fields; blanks are left out (a blank slug: made from the name) except where the API takes null. */
function pick(data: Json, fields: string[]): Json {
  const out: Json = {};
  for (const f of fields) {
    const value = data[f];
    if (value === undefined) continue;
    if (value === '' || value === null) {
      if (f === 'description') out[f] = '';
      else if (NULLABLE.has(f)) out[f] = null;
    } else out[f] = value;
  }
  return out;
}

/** The form edits a variant's own price (`price_override`, blank = the product's price) as the API's `price`. */
function variantBody(v: Json): Json {
  const body = pick(v, VARIANT_FIELDS);
  const own = 'price_override' in v ? v.price_override : v.price;
  if (own !== undefined) body.price = own === '' ? null : own;
  return body;
}

export interface AdminDataProvider extends DataProvider {
  /** POST /admin/products/bulk/ with product slugs (mapped to ids) and the action's parameters. */
  bulkProducts(slugs: Identifier[], action: string, extra?: Json): Promise<Json>;
  uploadImage(slug: string, file: File, altText?: string): Promise<Json>;
  deleteImage(slug: string, imageId: string): Promise<void>;
  reorderImages(slug: string, ids: string[]): Promise<Json>;
  restoreProduct(slug: string): Promise<Json>;
  orderAction(orderId: string, action: 'status' | 'cancel', body: Json): Promise<Json>;
  markPaid(paymentId: string, note?: string): Promise<Json>;
  refund(paymentId: string, body: Json, idempotencyKey: string): Promise<Json>;
  retryJob(jobId: string): Promise<Json>;
  /** The CSV import; `onProgress` gets the share of the file sent so far (0..1). */
  importProducts(file: File | string, dryRun: boolean, onProgress?: (sent: number) => void): Promise<Json>;
  /** A CSV export with the list's filters, fetched with the Authorization header (never a token in a URL). */
  exportCsv(kind: 'products' | 'orders', filter: Json): Promise<{ blob: Blob; filename: string }>;
  stats(): Promise<Json>;
}

export function createDataProvider(api: ApiClient): AdminDataProvider {
  /** slug -> uuid of every product seen, for bulk actions that take ids. */
  const productIds = new Map<string, string>();
  const remember = (resource: string, records: RaRecord[]) => {
    if (resource === 'products') for (const r of records) productIds.set(String(r.id), String(r.uuid));
    return records;
  };
  const urlOf = (resource: string, id: Identifier) => `${config(resource).path}/${encodeURIComponent(String(id))}/`;

  async function getList(resource: string, params: GetListParams) {
    const cfg = config(resource);
    if (cfg.tree) {
      let rows = await treeRows(resource);
      const q = String(params.filter?.q ?? '').toLowerCase();
      if (q) rows = rows.filter((r) => r.name.toLowerCase().includes(q) || r.slug.includes(q));
      const { page, perPage } = params.pagination ?? { page: 1, perPage: 1000 };
      return { data: rows.slice((page - 1) * perPage, page * perPage) as RaRecord[], total: rows.length };
    }
    const query = listQuery(resource, params);
    let path = cfg.path;
    if (cfg.parent) {
      path = path.replace(`{${cfg.parent}}`, encodeURIComponent(String(query[cfg.parent] ?? '')));
      delete query[cfg.parent];
    }
    const { json } = await api.request<Json>(`${path}/`, { query });
    const data = remember(resource, (json.results ?? []).map((r: Json) => toRecord(resource, r)));
    return { data, total: json.count ?? data.length };
  }

  async function treeRows(resource: string) {
    const cfg = config(resource);
    const { json } = await api.request<Json[]>(`${cfg.path}/`, { query: cfg.listQuery });
    return flattenTree(json);
  }

  async function getOne(resource: string, id: Identifier) {
    if (config(resource).tree) {
      const found = (await treeRows(resource)).find((r) => r.id === id);
      if (!found) throw new HttpError('Not found', 404, {});
      return found as RaRecord;
    }
    const { json } = await api.request<Json>(urlOf(resource, id));
    const record = toRecord(resource, json);
    remember(resource, [record]);
    return record;
  }

  async function syncVariants(slug: string, next: Json[] = [], previous: Json[] = []) {
    const before = new Map(previous.filter((v) => v.id).map((v) => [v.id, v]));
    const kept = new Set<string>();
    for (const variant of next) {
      if (variant.id && before.has(variant.id)) {
        kept.add(variant.id);
        const old = before.get(variant.id) as Json;
        const changed = cleanBody(variantBody(variant), variantBody(old));
        if (Object.keys(changed).length) await api.request(`/products/${slug}/variants/${variant.id}/`, { method: 'PATCH', body: changed });
      } else {
        await api.request(`/products/${slug}/variants/`, { method: 'POST', body: variantBody(variant) });
      }
    }
    for (const id of before.keys()) {
      if (!kept.has(id)) await api.request(`/products/${slug}/variants/${id}/`, { method: 'DELETE' });
    }
  }

  async function createRecord(resource: string, data: Json) {
    if (resource === 'categories') {
      const { json } = await api.request<Json>('/products/categories/', { method: 'POST', body: categoryBody(data) });
      return toRecord(resource, json);
    }
    if (resource === 'products') {
      const body = productBody(data);
      if (Array.isArray(data.variants) && data.variants.length) body.variants = data.variants.map(variantBody);
      const { json } = await api.request<Json>('/products/', { method: 'POST', body });
      return toRecord(resource, json);
    }
    const { json } = await api.request<Json>(`${config(resource).path}/`, { method: 'POST', body: cleanBody(data) });
    return toRecord(resource, json);
  }

  async function updateRecord(resource: string, id: Identifier, data: Json, previous: Json | undefined) {
    if (resource === 'products') {
      const body = cleanBody(productBody(data), previous && productBody(previous));
      let slug = String(id);
      if (Object.keys(body).length) {
        const { json } = await api.request<Json>(urlOf(resource, id), { method: 'PATCH', body });
        slug = json.slug;
      }
      if (Array.isArray(data.variants)) await syncVariants(slug, data.variants, previous?.variants);
      return getOne(resource, slug);
    }
    if (resource === 'categories') {
      const body = cleanBody(categoryBody(data), previous && categoryBody(previous));
      const { json } = await api.request<Json>(urlOf(resource, id), { method: 'PATCH', body });
      return getOne(resource, json.slug);
    }
    const { json } = await api.request<Json>(urlOf(resource, id), { method: 'PATCH', body: cleanBody(data, previous) });
    return toRecord(resource, json);
  }

  async function deleteRecord(resource: string, id: Identifier) {
    await api.request(urlOf(resource, id), { method: 'DELETE' });
  }

  const provider: AdminDataProvider = {
    getList: getList as DataProvider['getList'],
    getOne: (async (resource, params) => ({ data: await getOne(resource, params.id) })) as DataProvider['getOne'],
    getMany: (async (resource, params) => ({
      data: await Promise.all(params.ids.map((id) => getOne(resource, id))),
    })) as DataProvider['getMany'],
    getManyReference: (async (resource, params) => {
      const { target, id, ...rest } = params;
      return getList(resource, { ...rest, filter: { ...rest.filter, [target]: id } } as GetListParams);
    }) as DataProvider['getManyReference'],
    create: (async (resource, params) => ({ data: await createRecord(resource, params.data) })) as DataProvider['create'],
    update: (async (resource, params) => ({
      data: await updateRecord(resource, params.id, params.data, params.previousData),
    })) as DataProvider['update'],
    updateMany: (async (resource, params) => {
      for (const id of params.ids) await updateRecord(resource, id, params.data, undefined);
      return { data: params.ids };
    }) as DataProvider['updateMany'],
    delete: (async (resource, params) => {
      await deleteRecord(resource, params.id);
      return { data: params.previousData ?? { id: params.id } };
    }) as DataProvider['delete'],
    deleteMany: (async (resource, params) => {
      for (const id of params.ids) await deleteRecord(resource, id);
      return { data: params.ids };
    }) as DataProvider['deleteMany'],

    async bulkProducts(slugs, action, extra = {}) {
      const ids: string[] = [];
      for (const slug of slugs) {
        let uuid = productIds.get(String(slug));
        if (!uuid) uuid = String((await getOne('products', slug)).uuid);
        ids.push(uuid);
      }
      const { json } = await api.request<Json>('/admin/products/bulk/', { method: 'POST', body: { ids, action, ...extra } });
      return json;
    },
    async uploadImage(slug, file, altText) {
      const form = new FormData();
      if (altText) form.append('alt_text', altText);
      form.append('file', file);
      const { json } = await api.request<Json>(`/products/${slug}/images/`, { method: 'POST', body: form });
      return json;
    },
    async deleteImage(slug, imageId) {
      await api.request(`/products/${slug}/images/${imageId}/`, { method: 'DELETE' });
    },
    async reorderImages(slug, ids) {
      return (await api.request<Json>(`/products/${slug}/images/reorder/`, { method: 'POST', body: { ids } })).json;
    },
    async restoreProduct(slug) {
      return (await api.request<Json>(`/products/${slug}/restore/`, { method: 'POST' })).json;
    },
    async orderAction(orderId, action, body) {
      return (await api.request<Json>(`/orders/${orderId}/${action}/`, { method: 'POST', body })).json;
    },
    async markPaid(paymentId, note) {
      return (await api.request<Json>(`/payments/${paymentId}/mark-paid/`, { method: 'POST', body: note ? { note } : {} })).json;
    },
    async refund(paymentId, body, idempotencyKey) {
      const headers = { 'idempotency-key': idempotencyKey };
      return (await api.request<Json>(`/payments/${paymentId}/refund/`, { method: 'POST', body, headers })).json;
    },
    async retryJob(jobId) {
      return (await api.request<Json>(`/admin/jobs/${jobId}/retry/`, { method: 'POST' })).json;
    },
    async importProducts(file, dryRun, onProgress) {
      const body = typeof file === 'string' ? file : await file.text();
      const headers = { 'content-type': 'text/csv' };
      const query = { dry_run: dryRun };
      try {
        return (await api.upload<Json>('/admin/products/import/', body, { headers, query, onProgress })).json;
      } catch (error) {
        // a real run with bad rows answers 400 with the same report: show it like a dry run's
        const report = (error as { body?: Json }).body;
        if (report && Array.isArray(report.errors)) return { ...report, applied: false };
        throw error;
      }
    },
    async exportCsv(kind, filter) {
      const query = listQuery(kind, { filter });
      delete query.page;
      delete query.page_size;
      const response = await api.fetchRaw(`/admin/${kind}/export/`, { headers: { accept: 'text/csv' } }, query);
      const disposition = response.headers.get('content-disposition') ?? '';
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${kind}.csv`;
      return { blob: await response.blob(), filename };
    },
    async stats() {
      return (await api.request<Json>('/admin/stats/')).json;
    },
  };
  return provider;
}
