// Operations endpoints: liveness, readiness (database, cache, broker), Prometheus metrics, OpenAPI.
import amqp from 'amqplib';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
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

async function pingBroker(url: string) {
  const connection = await amqp.connect(url);
  await connection.close();
}

export function registerOps(app: App, ctx: AppContext) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
    const checks: Record<string, () => Promise<unknown>> = {
      database: () => ctx.database.ping(),
      cache: () => ctx.cache.ping(),
    };
    if (ctx.config.amqpUrl) checks.broker = () => pingBroker(ctx.config.amqpUrl as string);
    const results: Record<string, string> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          results[name] = 'ok';
        } catch (error) {
          results[name] = `down: ${error instanceof Error ? error.message : String(error)}`;
        }
      }),
    );
    const down = Object.keys(results).filter((name) => results[name] !== 'ok');
    if (down.length === 0) return { status: 'ready', checks: results };
    return sendProblem(reply, 503, {
      type: 'https://emporium.dev/problems/service_unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: `Not ready: ${down.join(', ')} unreachable.`,
      code: 'service_unavailable',
      request_id: String(request.id),
      checks: results,
    });
  });

  app.get('/metrics', { schema: hidden }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/api/schema/', { schema: hidden }, async () => app.swagger());
}
