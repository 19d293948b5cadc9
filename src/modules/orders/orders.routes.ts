// Orders: checkout of the cart (POST, idempotent with Idempotency-Key), own order list and detail (staff: all,
// filtered), cancellation by owner or staff, and staff status changes along the legal transitions only.
import { currentUser, requireStaff, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import { idempotencyKeyOf } from '../../core/idempotency.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { placeOrder } from './checkout.service.js';
import { addressFromInput, orderJson, orderQueryFrom } from './orders.present.js';
import { CancelBody, CheckoutBody, CheckoutHeaders, OrderJson, OrderListQuery, StatusBody } from './orders.schemas.js';
import { cancelOrder, changeOrderStatus, getOrder, listOrders } from './orders.service.js';

const tags = ['orders'];
const security = [{ bearerAuth: [] }];

export async function orderRoutes(app: App, ctx: AppContext) {
  app.get(
    '/orders/',
    {
      preHandler: requireUser,
      schema: { tags, security, querystring: OrderListQuery, response: { 200: Paginated(OrderJson), ...problemResponses } },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, results } = await listOrders(ctx, currentUser(request), orderQueryFrom(request.query), page);
      return toPage(request, page, count, results.map(orderJson));
    },
  );

  app.post(
    '/orders/',
    {
      preHandler: requireUser,
      schema: { tags, security, headers: CheckoutHeaders, body: CheckoutBody, response: { 201: OrderJson, ...problemResponses } },
    },
    async (request, reply) => {
      const b = request.body;
      const input = {
        shippingAddressId: b.shipping_address_id,
        shippingAddress: b.shipping_address && addressFromInput(b.shipping_address),
        billingAddressId: b.billing_address_id,
        billingAddress: b.billing_address && addressFromInput(b.billing_address),
        couponCode: b.coupon_code,
        notes: b.notes,
      };
      const key = idempotencyKeyOf(request.headers['idempotency-key']);
      const { detail, replayed } = await placeOrder(ctx, currentUser(request), input, key);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(orderJson(detail));
    },
  );

  app.get(
    '/orders/:id/',
    { preHandler: requireUser, schema: { tags, security, params: IdParams, response: { 200: OrderJson, ...problemResponses } } },
    async (request) => orderJson(await getOrder(ctx, currentUser(request), request.params.id)),
  );

  app.post(
    '/orders/:id/cancel/',
    {
      preHandler: requireUser,
      schema: { tags, security, params: IdParams, body: CancelBody, response: { 200: OrderJson, ...problemResponses } },
    },
    async (request) => {
      const reason = request.body?.reason ?? '';
      return orderJson(await cancelOrder(ctx, currentUser(request), request.params.id, reason));
    },
  );

  app.post(
    '/orders/:id/status/',
    {
      preHandler: requireStaff,
      schema: { tags, security, params: IdParams, body: StatusBody, response: { 200: OrderJson, ...problemResponses } },
    },
    async (request) => {
      const { status, note } = request.body;
      return orderJson(await changeOrderStatus(ctx, currentUser(request), request.params.id, { status, note: note ?? '' }));
    },
  );
}
