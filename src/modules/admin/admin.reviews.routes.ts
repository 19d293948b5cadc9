// Admin API: review moderation across products (list newest first, hide/unhide, delete). Hidden reviews leave
// the public list and the product's rating aggregates; the catalog module keeps those right.
import { Type } from 'typebox';
import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { presentStaffReview } from '../catalog/catalog.present.js';
import { deleteReviewByStaff, getReviewForStaff, listReviewsForStaff, setReviewHidden } from '../catalog/reviews.service.js';
import { AdminReviewJson, ReviewListQuery, ReviewPatch } from './admin.schemas.js';

const staffOnly = { tags: ['admin'], security: [{ bearerAuth: [] }] };

export function adminReviewRoutes(app: App, ctx: AppContext) {
  app.get(
    '/admin/reviews/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Every review (hidden too), newest first; filter by rating, is_hidden, product slug',
        querystring: ReviewListQuery,
        response: { 200: Paginated(AdminReviewJson), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { rating, is_hidden, product } = request.query;
      const { count, results } = await listReviewsForStaff(ctx, { rating, isHidden: is_hidden, productSlug: product }, page);
      return toPage(request, page, count, results.map(presentStaffReview));
    },
  );

  app.get(
    '/admin/reviews/:id/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: IdParams, response: { 200: AdminReviewJson, ...problemResponses } },
    },
    async (request) => presentStaffReview(await getReviewForStaff(ctx, request.params.id)),
  );

  app.patch(
    '/admin/reviews/:id/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Hide or unhide a review; the product rating is recomputed',
        params: IdParams,
        body: ReviewPatch,
        response: { 200: AdminReviewJson, ...problemResponses },
      },
    },
    async (request) => presentStaffReview(await setReviewHidden(ctx, request.params.id, request.body.is_hidden)),
  );

  app.delete(
    '/admin/reviews/:id/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: IdParams, response: { 204: Type.Null(), ...problemResponses } },
    },
    async (request, reply) => {
      await deleteReviewByStaff(ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
