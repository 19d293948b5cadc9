// Product routes: the public list (filters, full-text search, page or cursor pagination) and detail, both
// cached with ETags; staff create/edit/soft-delete products and manage their variants.
import { Type } from 'typebox';
import { isStaff, requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage, urlWith } from '../../core/pagination.js';
import { catalogReadContext, catalogReader } from '../../core/replica.js';
import { detailCacheKey, listCacheKey, sendCached } from './catalog.cache.js';
import {
  Product,
  ProductCreate,
  ProductListQuery,
  ProductPage,
  ProductPatch,
  ProductUpdate,
  SlugIdParams,
  SlugParams,
  Variant,
  VariantInput,
  VariantPage,
  VariantPatch,
} from './catalog.schemas.js';
import { getProductDetail, listProductPage } from './catalog.service.js';
import {
  createProduct,
  createVariant,
  deleteProduct,
  deleteVariant,
  listVariants,
  restoreProduct,
  updateProduct,
  updateVariant,
} from './product-writes.service.js';

const tags = ['catalog'];
const staffOnly = { tags, security: [{ bearerAuth: [] }] };
const NoContent = { 204: Type.Null(), ...problemResponses };

export function productRoutes(app: App, ctx: AppContext) {
  app.get(
    '/products/',
    { schema: { tags, querystring: ProductListQuery, response: { 200: ProductPage, ...problemResponses } } },
    async (request, reply) => {
      const staff = isStaff(request.user);
      const base = `${request.protocol}://${request.host}`;
      const key =
        staff && request.query.include_inactive ? undefined : await listCacheKey(ctx, 'products', { ...request.query, base });
      return sendCached(ctx, request, reply, key, async () => {
        const found = await listProductPage(await catalogReadContext(ctx, request), request.query, staff);
        if ('count' in found) return toPage(request, found.page, found.count, found.results);
        const link = (cursor: string | null) => (cursor === null ? null : urlWith(request, { cursor, page: null }));
        return { next: link(found.next), previous: link(found.previous), results: found.results };
      });
    },
  );

  app.post(
    '/products/',
    { preHandler: requireStaff, schema: { ...staffOnly, body: ProductCreate, response: { 201: Product, ...problemResponses } } },
    async (request, reply) => reply.code(201).send(await createProduct(ctx, request.body)),
  );

  app.get(
    '/products/:slug/',
    { schema: { tags, params: SlugParams, response: { 200: Product, ...problemResponses } } },
    async (request, reply) => {
      const { slug } = request.params;
      if (isStaff(request.user)) return getProductDetail(ctx.db, slug, true);
      return sendCached(ctx, request, reply, await detailCacheKey(ctx, slug), async () =>
        getProductDetail(await catalogReader(ctx, request), slug, false),
      );
    },
  );

  app.put(
    '/products/:slug/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugParams, body: ProductUpdate, response: { 200: Product, ...problemResponses } },
    },
    async (request) => updateProduct(ctx, request.params.slug, request.body),
  );

  app.patch(
    '/products/:slug/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugParams, body: ProductPatch, response: { 200: Product, ...problemResponses } },
    },
    async (request) => updateProduct(ctx, request.params.slug, request.body),
  );

  app.delete(
    '/products/:slug/',
    { preHandler: requireStaff, schema: { ...staffOnly, params: SlugParams, response: NoContent } },
    async (request, reply) => {
      await deleteProduct(ctx, request.params.slug);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/products/:slug/restore/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Undo a soft delete',
        params: SlugParams,
        response: { 200: Product, ...problemResponses },
      },
    },
    async (request) => restoreProduct(ctx, request.params.slug),
  );

  app.get(
    '/products/:slug/variants/',
    {
      schema: {
        tags,
        params: SlugParams,
        querystring: Type.Object(PageQuery),
        response: { 200: VariantPage, ...problemResponses },
      },
    },
    async (request) => {
      const variants = await listVariants(await catalogReadContext(ctx, request), request.params.slug, isStaff(request.user));
      const page = pageRequest(request.query);
      return toPage(request, page, variants.length, variants.slice(page.offset, page.offset + page.pageSize));
    },
  );

  app.post(
    '/products/:slug/variants/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugParams, body: VariantInput, response: { 201: Variant, ...problemResponses } },
    },
    async (request, reply) => reply.code(201).send(await createVariant(ctx, request.params.slug, request.body)),
  );

  app.patch(
    '/products/:slug/variants/:id/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugIdParams, body: VariantPatch, response: { 200: Variant, ...problemResponses } },
    },
    async (request) => updateVariant(ctx, request.params.slug, request.params.id, request.body),
  );

  app.delete(
    '/products/:slug/variants/:id/',
    { preHandler: requireStaff, schema: { ...staffOnly, params: SlugIdParams, response: NoContent } },
    async (request, reply) => {
      await deleteVariant(ctx, request.params.slug, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
