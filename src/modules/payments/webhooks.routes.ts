// Stripe webhook endpoint: verifies Stripe-Signature over the raw body and applies each event exactly once.
// Its JSON parser keeps the raw bytes and lives only in this encapsulated plugin; other routes are unaffected.
import type { AppContext } from '../../core/context.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { WebhookResponse } from './payments.schemas.js';
import { handleStripeEvent, verifyStripeEvent } from './webhooks.service.js';

export async function webhookRoutes(app: App, ctx: AppContext) {
  // The signature covers the exact bytes Stripe sent, so the body must not be parsed and re-serialized.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/payments/webhook/',
    { schema: { tags: ['payments'], response: { 200: WebhookResponse, ...problemResponses } } },
    async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const event = await verifyStripeEvent(ctx, raw, request.headers['stripe-signature']);
      return { received: true, status: await handleStripeEvent(ctx, event) };
    },
  );
}
