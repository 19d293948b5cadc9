// A local stand-in for the Stripe API, run inside the test process (node:http on port 0). It implements just
// the endpoints our Stripe provider calls, answers with Stripe-shaped JSON, honours Idempotency-Key like
// Stripe (same key -> same response), and records every request so tests can assert on what was sent.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  /** Form fields as sent, with Stripe's bracket keys (`metadata[order_id]`). */
  body: Record<string, string>;
}

export type FakeIntent = {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
  last_payment_error: { code: string; decline_code?: string; message: string; type: string } | null;
  next_action: Record<string, unknown> | null;
  cancellation_reason: string | null;
  latest_charge: string | null;
  amount_received: number;
  created: number;
  livemode: false;
};

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string | null;
  status: string;
  metadata: Record<string, string>;
  created: number;
}

export interface FakeStripe {
  /** http://127.0.0.1:<port>, for STRIPE_API_BASE. */
  url: string;
  requests: RecordedRequest[];
  intents: Map<string, FakeIntent>;
  refunds: FakeRefund[];
  /** The app's env for a Stripe-backed test app pointed at this server. */
  env: Record<string, string>;
  /** Changes an intent as if the customer (or the bank) had acted. */
  update(id: string, patch: Partial<FakeIntent>): FakeIntent;
  succeed(id: string): FakeIntent;
  decline(id: string, message?: string): FakeIntent;
  requireAction(id: string): FakeIntent;
  /** The next `times` requests to `path` get this error instead (`status`, Stripe error body). */
  failNext(path: string, status: number, error: { type: string; message: string; code?: string }, times?: number): void;
  requestsTo(method: string, path: string): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec_test';

async function readBody(req: http.IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  return Object.fromEntries(new URLSearchParams(text || query));
}

function metadataOf(body: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match?.[1]) metadata[match[1]] = value;
  }
  return metadata;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const intents = new Map<string, FakeIntent>();
  const refunds: FakeRefund[] = [];
  const replay = new Map<string, { status: number; body: unknown }>();
  const failures = new Map<string, { status: number; error: Record<string, unknown>; times: number }>();
  let seq = 0;
  const nextId = (prefix: string) => `${prefix}_fake${(++seq).toString().padStart(6, '0')}`;
  const now = () => Math.floor(Date.now() / 1000);

  function route(method: string, path: string, body: Record<string, string>): { status: number; body: unknown } {
    const missing = (what: string) => ({
      status: 404,
      body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } },
    });
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = Number(body.amount);
      if (!Number.isInteger(amount) || amount < 1) {
        return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Invalid amount', param: 'amount' } } };
      }
      const id = nextId('pi');
      const intent: FakeIntent = {
        id,
        object: 'payment_intent',
        amount,
        currency: body.currency ?? 'usd',
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${Math.random().toString(36).slice(2, 10)}`,
        metadata: metadataOf(body),
        last_payment_error: null,
        next_action: null,
        cancellation_reason: null,
        latest_charge: null,
        amount_received: 0,
        created: now(),
        livemode: false,
      };
      intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const intentMatch = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && intentMatch) {
      const intent = intents.get(intentMatch[1] as string);
      return intent ? { status: 200, body: intent } : missing('payment_intent');
    }
    const cancelMatch = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && cancelMatch) {
      const intent = intents.get(cancelMatch[1] as string);
      if (!intent) return missing('payment_intent');
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        const message = `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`;
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message } },
        };
      }
      Object.assign(intent, { status: 'canceled', cancellation_reason: body.cancellation_reason ?? null });
      return { status: 200, body: intent };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(body.payment_intent ?? '');
      if (!intent) return missing('payment_intent');
      const already = refunds.filter((r) => r.payment_intent === intent.id).reduce((sum, r) => sum + r.amount, 0);
      const amount = body.amount ? Number(body.amount) : intent.amount_received - already;
      if (intent.status !== 'succeeded' || amount < 1 || already + amount > intent.amount_received) {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'charge_already_refunded',
              message: 'Refund amount is greater than the unrefunded amount.',
            },
          },
        };
      }
      const refund: FakeRefund = {
        id: nextId('re'),
        object: 'refund',
        amount,
        currency: intent.currency,
        payment_intent: intent.id,
        charge: intent.latest_charge,
        status: 'succeeded',
        metadata: metadataOf(body),
        created: now(),
      };
      refunds.push(refund);
      return { status: 200, body: refund };
    }
    return {
      status: 404,
      body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } },
    };
  }

  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method, path, idempotencyKey, authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${seq}` });
      res.end(JSON.stringify(payload));
    };
    const failure = failures.get(path);
    if (failure) {
      if (--failure.times <= 0) failures.delete(path);
      return send(failure.status, { error: failure.error });
    }
    const replayKey = idempotencyKey && method === 'POST' ? `${path} ${idempotencyKey}` : undefined;
    const previous = replayKey ? replay.get(replayKey) : undefined;
    if (previous) return send(previous.status, previous.body);
    const result = route(method, path, body);
    if (replayKey && result.status < 500)
      replay.set(replayKey, { status: result.status, body: JSON.parse(JSON.stringify(result.body)) });
    return send(result.status, result.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function update(id: string, patch: Partial<FakeIntent>): FakeIntent {
    const intent = intents.get(id);
    if (!intent) throw new Error(`fake stripe: no intent ${id}`);
    Object.assign(intent, patch);
    return intent;
  }

  return {
    url,
    requests,
    intents,
    refunds,
    env: {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: url,
    },
    update,
    succeed: (id) => {
      const intent = intents.get(id);
      return update(id, {
        status: 'succeeded',
        last_payment_error: null,
        next_action: null,
        latest_charge: `ch_for_${id}`,
        amount_received: intent?.amount ?? 0,
      });
    },
    decline: (id, message = 'Your card was declined.') =>
      update(id, {
        status: 'requires_payment_method',
        last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message },
      }),
    requireAction: (id) =>
      update(id, {
        status: 'requires_action',
        next_action: {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: 'https://hooks.stripe.com/3d_secure' },
        },
      }),
    failNext(path, status, error, times = 1) {
      failures.set(path, { status, error, times });
    },
    requestsTo: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    reset() {
      requests.length = 0;
      failures.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let eventSeq = 0;

/** A Stripe event body wrapping `object`, as Stripe would POST it. */
export function stripeEvent(type: string, object: unknown, id = `evt_test_${Date.now()}_${++eventSeq}`): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  });
}

/** The `Stripe-Signature` header for `payload`, made by the SDK's own test helper. */
export function signPayload(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
}
