// Operations endpoints: liveness, readiness, Prometheus metrics, OpenAPI. Readiness fails only for what
// makes the API useless (the database); a Redis outage is reported as degraded but keeps the API in the load
// balancer, since requests still succeed without it. The API never talks to RabbitMQ (the outbox is in
// PostgreSQL; workers relay it), so the broker is the worker's readiness, not the API's.
import { Histogram } from 'prom-client';
import { Type } from 'typebox';
import type { AppContext } from './context.js';
import { sendProblem } from './http.js';
import type { App } from './module.js';

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessCheck {
  check: () => Promise<unknown>;
  /** A failing critical check makes the process not ready (503); others report "degraded". */
  critical: boolean;
}

/** Runs every check (bounded, in parallel): `{ ready, checks: { name: 'ok' | 'down: …' | 'degraded: …' } }`. */
export async function runReadiness(checks: Record<string, ReadinessCheck>, timeoutMs = 2000) {
  const results: Record<string, string> = {};
  let ready = true;
  await Promise.all(
    Object.entries(checks).map(async ([name, { check, critical }]) => {
      try {
        await withTimeout(check(), timeoutMs);
        results[name] = 'ok';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results[name] = `${critical ? 'down' : 'degraded'}: ${message}`;
        if (critical) ready = false;
      }
    }),
  );
  return { ready, checks: results };
}

export function registerOps(app: App, ctx: AppContext) {
  const { registry } = ctx.metrics;
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
  });

  const hidden = { hide: true };
  app.get('/health/', { schema: { ...hidden, response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({
    status: 'ok',
  }));

  app.get('/ready/', { schema: hidden }, async (request, reply) => {
    const { ready, checks } = await runReadiness({
      database: { check: () => ctx.database.ping(), critical: true },
      cache: {
        // the breaker's view, no round trip while it is open
        check: async () => {
          if (ctx.cache.breakerState === 'open') throw new Error('circuit open; falling through to the database');
          await ctx.cache.ping();
        },
        critical: false,
      },
    });
    if (ready) return { status: 'ready', checks };
    const down = Object.keys(checks).filter((name) => checks[name]?.startsWith('down'));
    return sendProblem(reply, 503, {
      type: 'https://emporium.dev/problems/service_unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: `Not ready: ${down.join(', ')} unreachable.`,
      code: 'service_unavailable',
      request_id: String(request.id),
      checks,
    });
  });

  app.get('/metrics', { schema: hidden }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/api/schema/', { schema: hidden }, async () => app.swagger());
}
