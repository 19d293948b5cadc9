// Coupons (staff only): create, list, read, change and delete discount codes; percentage or fixed amount,
// minimum subtotal, validity window, total and per-user usage limits. Checkout applies them.

import { Type } from 'typebox';
import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage } from '../../core/pagination.js';
import { couponFieldsFrom, couponJson } from './coupons.present.js';
import { CouponCreateBody, CouponJson, CouponPatchBody } from './coupons.schemas.js';
import { COUPON_ORDERINGS, createCoupon, deleteCoupon, getCoupon, listCoupons, updateCoupon } from './coupons.service.js';

const tags = ['coupons'];
const security = [{ bearerAuth: [] }];

export async function couponRoutes(app: App, ctx: AppContext) {
  const currency = ctx.config.currency;
  app.get(
    '/coupons/',
    {
      preHandler: requireStaff,
      schema: {
        tags,
        security,
        querystring: Type.Object({
          ...PageQuery,
          search: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Code contains' })),
          is_active: Type.Optional(Type.Boolean()),
          ordering: Type.Optional(Type.Union(COUPON_ORDERINGS.map((o) => Type.Literal(o)))),
        }),
        response: { 200: Paginated(CouponJson), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { search, is_active, ordering } = request.query;
      const { count, rows } = await listCoupons(ctx.db, page, { search, isActive: is_active, ordering });
      return toPage(request, page, count, rows.map(couponJson));
    },
  );

  app.post(
    '/coupons/',
    {
      preHandler: requireStaff,
      schema: { tags, security, body: CouponCreateBody, response: { 201: CouponJson, ...problemResponses } },
    },
    async (request, reply) => {
      const body = request.body;
      const fields = { ...couponFieldsFrom(body, currency), code: body.code, discountType: body.discount_type, currency };
      return reply.status(201).send(couponJson(await createCoupon(ctx.db, fields)));
    },
  );

  app.get(
    '/coupons/:id/',
    {
      preHandler: requireStaff,
      schema: { tags, security, params: IdParams, response: { 200: CouponJson, ...problemResponses } },
    },
    async (request) => couponJson(await getCoupon(ctx.db, request.params.id)),
  );

  app.patch(
    '/coupons/:id/',
    {
      preHandler: requireStaff,
      schema: { tags, security, params: IdParams, body: CouponPatchBody, response: { 200: CouponJson, ...problemResponses } },
    },
    async (request) => couponJson(await updateCoupon(ctx.db, request.params.id, couponFieldsFrom(request.body, currency))),
  );

  app.delete(
    '/coupons/:id/',
    {
      preHandler: requireStaff,
      schema: { tags, security, params: IdParams, response: { 204: Type.Null(), ...problemResponses } },
    },
    async (request, reply) => {
      await deleteCoupon(ctx.db, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
