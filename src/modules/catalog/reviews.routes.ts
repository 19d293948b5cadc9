// Review and wishlist routes: anyone reads a product's reviews; a logged-in user posts one review per product
// and keeps a wishlist (add/remove by product slug, list their own).
import { Type } from 'typebox';
import { currentUser, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { Paginated, problemResponses, Timestamp, Uuid } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage } from '../../core/pagination.js';
import { catalogReadContext } from '../../core/replica.js';
import { presentReview } from './catalog.present.js';
import { Product, SlugParams } from './catalog.schemas.js';
import { addToWishlist, listProductReviews, listWishlist, postReview, removeFromWishlist } from './reviews.service.js';

const Review = Type.Object({
  id: Uuid,
  product_id: Uuid,
  user_id: Uuid,
  user_name: Type.String({ description: 'First name and last initial of the author when posted' }),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  title: Type.String(),
  body: Type.String(),
  is_verified_purchase: Type.Boolean({ description: 'The author had a delivered order with this product when posting' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const ReviewInput = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  title: Type.Optional(Type.String({ maxLength: 200 })),
  body: Type.Optional(Type.String({ maxLength: 5000 })),
});
const WishlistItem = Type.Object({ id: Uuid, product: Product, created_at: Timestamp });

const tags = ['catalog'];
const userOnly = { tags, security: [{ bearerAuth: [] }] };
const Query = Type.Object(PageQuery);

export function reviewRoutes(app: App, ctx: AppContext) {
  app.get(
    '/products/:slug/reviews/',
    { schema: { tags, params: SlugParams, querystring: Query, response: { 200: Paginated(Review), ...problemResponses } } },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, results } = await listProductReviews(await catalogReadContext(ctx, request), request.params.slug, page);
      return toPage(request, page, count, results.map(presentReview));
    },
  );

  app.post(
    '/products/:slug/reviews/',
    {
      preHandler: requireUser,
      schema: { ...userOnly, params: SlugParams, body: ReviewInput, response: { 201: Review, ...problemResponses } },
    },
    async (request, reply) =>
      reply.code(201).send(presentReview(await postReview(ctx, request.params.slug, currentUser(request).id, request.body))),
  );

  app.post(
    '/products/:slug/wishlist/',
    {
      preHandler: requireUser,
      schema: { ...userOnly, params: SlugParams, response: { 200: WishlistItem, 201: WishlistItem, ...problemResponses } },
    },
    async (request, reply) => {
      const { created, item } = await addToWishlist(ctx, request.params.slug, currentUser(request).id);
      return reply.code(created ? 201 : 200).send(item);
    },
  );

  app.delete(
    '/products/:slug/wishlist/',
    { preHandler: requireUser, schema: { ...userOnly, params: SlugParams, response: { 204: Type.Null(), ...problemResponses } } },
    async (request, reply) => {
      await removeFromWishlist(ctx, request.params.slug, currentUser(request).id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/wishlist/',
    {
      preHandler: requireUser,
      schema: { ...userOnly, querystring: Query, response: { 200: Paginated(WishlistItem), ...problemResponses } },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, results } = await listWishlist(ctx, currentUser(request).id, page);
      return toPage(request, page, count, results);
    },
  );
}
