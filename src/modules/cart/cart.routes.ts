// Cart: a guest cart (found by the X-Cart-Token header) or the logged-in user's one cart; items with price
// snapshots, stock checks (409 with `available`), totals from the shared pricing module.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.js';
import { IdParams, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { cartJson } from './cart.present.js';
import { AddItemBody, CartJson, CartTokenHeaders, QuantityBody } from './cart.schemas.js';
import {
  addCartItem,
  type CartOwner,
  type CartView,
  clearCart,
  getCart,
  removeCartItem,
  updateCartItem,
} from './cart.service.js';

function ownerOf(request: FastifyRequest): CartOwner {
  if (request.user) return { userId: request.user.id };
  const token = request.headers['x-cart-token'];
  return { token: typeof token === 'string' && token ? token : undefined };
}

/** The cart JSON; a guest's token also goes out as X-Cart-Token, so clients can keep it from the headers. */
function sendCart(reply: FastifyReply, view: CartView) {
  if (view.token) reply.header('x-cart-token', view.token);
  return cartJson(view);
}

const tags = ['cart'];
const security: Record<string, string[]>[] = [{ bearerAuth: [] }, {}];

export async function cartRoutes(app: App, ctx: AppContext) {
  app.get(
    '/cart/',
    { schema: { tags, security, headers: CartTokenHeaders, response: { 200: CartJson, ...problemResponses } } },
    async (request, reply) => sendCart(reply, await getCart(ctx, ownerOf(request))),
  );

  app.post(
    '/cart/items/',
    {
      schema: { tags, security, headers: CartTokenHeaders, body: AddItemBody, response: { 201: CartJson, ...problemResponses } },
    },
    async (request, reply) => {
      const { variant_id, product_id, quantity } = request.body;
      const view = await addCartItem(ctx, ownerOf(request), {
        variantId: variant_id,
        productId: product_id,
        quantity: quantity ?? 1,
      });
      return reply.status(201).send(sendCart(reply, view));
    },
  );

  const updateSchema = {
    tags,
    security,
    headers: CartTokenHeaders,
    params: IdParams,
    body: QuantityBody,
    response: { 200: CartJson, ...problemResponses },
  };
  app.put('/cart/items/:id/', { schema: updateSchema }, async (request, reply) =>
    sendCart(reply, await updateCartItem(ctx, ownerOf(request), request.params.id, request.body.quantity)),
  );
  app.patch('/cart/items/:id/', { schema: updateSchema }, async (request, reply) =>
    sendCart(reply, await updateCartItem(ctx, ownerOf(request), request.params.id, request.body.quantity)),
  );

  app.delete(
    '/cart/items/:id/',
    {
      schema: {
        tags,
        security,
        headers: CartTokenHeaders,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await removeCartItem(ctx, ownerOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/cart/clear/',
    { schema: { tags, security, headers: CartTokenHeaders, response: { 200: CartJson, ...problemResponses } } },
    async (request, reply) => sendCart(reply, await clearCart(ctx, ownerOf(request))),
  );
}
