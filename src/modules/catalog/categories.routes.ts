// Category routes: the public category tree (cached, ETag) and one category with its subtree; staff create,
// edit and delete categories. Paths sit under /products/categories/ as in the DRF API.
import { Type } from 'typebox';
import { isStaff, requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { catalogReader } from '../../core/replica.js';
import { listCacheKey, sendCached, treeCacheKey } from './catalog.cache.js';
import { SlugParams } from './catalog.schemas.js';
import {
  CategoryFlat,
  CategoryInput,
  CategoryListQuery,
  CategoryNodeSchema,
  CategoryPatch,
  CategoryTree,
} from './categories.schemas.js';
import { categoryDetail, categoryTree, createCategory, deleteCategory, updateCategory } from './categories.service.js';

const tags = ['catalog'];
const staffOnly = { tags, security: [{ bearerAuth: [] }] };

export function categoryRoutes(app: App, ctx: AppContext) {
  app.addSchema(CategoryNodeSchema);

  app.get(
    '/products/categories/',
    { schema: { tags, querystring: CategoryListQuery, response: { 200: CategoryTree, ...problemResponses } } },
    async (request, reply) => {
      const all = isStaff(request.user) && request.query.include_inactive === true;
      return sendCached(ctx, request, reply, all ? undefined : await treeCacheKey(ctx), async () =>
        categoryTree(await catalogReader(ctx, request), all),
      );
    },
  );

  app.post(
    '/products/categories/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, body: CategoryInput, response: { 201: CategoryFlat, ...problemResponses } },
    },
    async (request, reply) => reply.code(201).send(await createCategory(ctx, request.body)),
  );

  app.get(
    '/products/categories/:slug/',
    {
      schema: { tags, params: SlugParams, querystring: CategoryListQuery, response: { 200: CategoryFlat, ...problemResponses } },
    },
    async (request, reply) => {
      const all = isStaff(request.user) && request.query.include_inactive === true;
      const key = all ? undefined : await listCacheKey(ctx, 'category', { slug: request.params.slug });
      return sendCached(ctx, request, reply, key, async () =>
        categoryDetail(await catalogReader(ctx, request), request.params.slug, all),
      );
    },
  );

  app.patch(
    '/products/categories/:slug/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugParams, body: CategoryPatch, response: { 200: CategoryFlat, ...problemResponses } },
    },
    async (request) => updateCategory(ctx, request.params.slug, request.body),
  );

  app.delete(
    '/products/categories/:slug/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugParams, response: { 204: Type.Null(), ...problemResponses } },
    },
    async (request, reply) => {
      await deleteCategory(ctx, request.params.slug);
      return reply.code(204).send(null);
    },
  );
}
