// Payments: create-intent (amount from the order, Stripe or offline), confirm against the provider, the
// owner's payments, and staff actions (mark an offline payment paid, full or partial refunds).
import { Type } from 'typebox';
import { currentUser, requireStaff, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses, Uuid } from '../../core/http.js';
import { idempotencyKeyOf } from '../../core/idempotency.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage } from '../../core/pagination.js';
import { intentJson, paymentJson, refundJson } from './payments.present.js';
import {
  ConfirmBody,
  CreateIntentBody,
  CreateIntentResponse,
  IdempotencyHeaders,
  MarkPaidBody,
  PaymentJson,
  RefundBody,
  RefundJson,
} from './payments.schemas.js';
import { confirmPayment, createPaymentIntent, getPayment, listPayments, markPaymentPaid } from './payments.service.js';
import { refundPaymentByStaff } from './refunds.service.js';

const tags = ['payments'];
const security = [{ bearerAuth: [] }];

export async function paymentsRoutes(app: App, ctx: AppContext) {
  customerRoutes(app, ctx);
  staffRoutes(app, ctx);
}

/** The owner's side: start a payment, confirm it with the provider, read their payments. */
function customerRoutes(app: App, ctx: AppContext) {
  app.post(
    '/payments/create-intent/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        headers: IdempotencyHeaders,
        body: CreateIntentBody,
        response: { 200: CreateIntentResponse, 201: CreateIntentResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { order_id, payment_method } = request.body;
      const key = idempotencyKeyOf(request.headers['idempotency-key']);
      const result = await createPaymentIntent(
        ctx,
        currentUser(request),
        { orderId: order_id, paymentMethod: payment_method },
        key,
      );
      return reply.status(result.created ? 201 : 200).send(intentJson(result.payment, result.clientSecret));
    },
  );

  app.post(
    '/payments/confirm/',
    {
      preHandler: requireUser,
      schema: { tags, security, body: ConfirmBody, response: { 200: PaymentJson, ...problemResponses } },
    },
    async (request) => paymentJson(await confirmPayment(ctx, currentUser(request), request.body.payment_id)),
  );

  app.get(
    '/payments/',
    {
      preHandler: requireUser,
      schema: {
        tags,
        security,
        querystring: Type.Object({
          ...PageQuery,
          order: Type.Optional({ ...Uuid, description: 'Payments of this order (staff: whoever owns it)' }),
        }),
        response: { 200: Paginated(PaymentJson), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, rows } = await listPayments(ctx, currentUser(request), page, request.query.order);
      return toPage(request, page, count, rows.map(paymentJson));
    },
  );

  app.get(
    '/payments/:id/',
    {
      preHandler: requireUser,
      schema: { tags, security, params: IdParams, response: { 200: PaymentJson, ...problemResponses } },
    },
    async (request) => paymentJson(await getPayment(ctx, currentUser(request), request.params.id)),
  );
}

/** Staff actions: record an offline payment as received, refund (part of) a captured payment. */
function staffRoutes(app: App, ctx: AppContext) {
  app.post(
    '/payments/:id/mark-paid/',
    {
      preHandler: requireStaff,
      schema: {
        tags,
        security,
        params: IdParams,
        body: Type.Optional(MarkPaidBody),
        response: { 200: PaymentJson, ...problemResponses },
      },
    },
    async (request) => paymentJson(await markPaymentPaid(ctx, currentUser(request), request.params.id, request.body?.note)),
  );

  app.post(
    '/payments/:id/refund/',
    {
      preHandler: requireStaff,
      schema: {
        tags,
        security,
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Optional(RefundBody),
        response: { 201: RefundJson, 202: RefundJson, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request.headers['idempotency-key']);
      const { refund, payment } = await refundPaymentByStaff(
        ctx,
        currentUser(request),
        request.params.id,
        request.body ?? {},
        key,
      );
      return reply.status(refund.status === 'pending' ? 202 : 201).send(refundJson(refund, payment));
    },
  );
}
