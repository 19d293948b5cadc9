// Builds the Fastify app from config (no listen): used by the server, the tests and the benchmarks.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { registerAdminUi } from './core/admin-ui.js';
import { registerAuditTrail } from './core/audit.js';
import { authenticate, guardBeforeValidation } from './core/auth.js';
import { type AppContext, type ContextOverrides, closeContext, createContext } from './core/context.js';
import { corsOptions } from './core/cors.js';
import { RateLimited } from './core/errors.js';
import { Problem, registerErrorHandling } from './core/http.js';
import { rejectUnstorableInput } from './core/input-guard.js';
import { heartbeatJob, type JobHandler } from './core/jobs.js';
import { logContextMixin, runWithLogContext } from './core/log-context.js';
import { logRedaction } from './core/log-redact.js';
import type { App } from './core/module.js';
import { registerOps } from './core/ops.js';
import { batchedRateLimitStore, cacheRateLimitStore, clientKey, createBatchedCounter } from './core/rate-limit.js';
import { closeCatalogReplica, openCatalogReplica } from './core/replica.js';
import { registerRequestHabits } from './core/request-habits.js';
import { registerSecurityHeaders } from './core/security-headers.js';
import { registerMediaRoute } from './core/storage.js';
import { registerErrorReporting } from './core/telemetry.js';
import { sessionChecker } from './modules/accounts/accounts.service.js';
import { recordRouteEntry } from './modules/audit/audit.service.js';
import { modules } from './modules/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's infrastructure (db, cache, jobs...), for entry points and tests. */
    ctx: AppContext;
  }
}

export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      mixin: logContextMixin,
      // bound query parameters, tokens, passwords and full emails never reach a log line (core/log-redact.ts)
      ...logRedaction,
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-cart-token"]',
        'req.headers["stripe-signature"]',
      ],
    },
    destination,
  );
}

export interface BuildOptions extends ContextOverrides {
  logger?: Logger;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config);
  const handlers = new Map<string, JobHandler>();
  const ctx = await createContext(config, log, handlers, options);

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: config.nodeEnv === 'test' }),
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('ctx', ctx);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    runWithLogContext({ request_id: String(request.id) }, done);
  });
  await openCatalogReplica(ctx); // DATABASE_REPLICA_URL: public catalog reads (core/replica.ts)
  app.addHook('onClose', async () => {
    await closeCatalogReplica(ctx);
    await closeContext(ctx);
  });

  registerErrorHandling(app, { exposeErrors: config.debugErrors, dbRetryAfterSeconds: config.unavailableRetryAfter });
  registerErrorReporting(app); // Sentry, when initTelemetry started it
  app.addSchema(Problem);

  await registerRequestHabits(app, { maxUploadBytes: config.maxUploadBytes });
  registerSecurityHeaders(app); // helmet's headers, computed once (core/security-headers.ts)
  await app.register(cors, corsOptions(config));
  // with Redis, counted here and added to Redis in batches (no round trip per request); in process otherwise
  const counter = ctx.cache.kind === 'redis' ? createBatchedCounter(ctx.cache, config.rateLimitSyncMs) : undefined;
  if (counter) app.addHook('onClose', async () => counter.stop());
  await app.register(rateLimit, {
    global: true,
    max: config.apiRateLimit,
    timeWindow: '1 minute',
    nameSpace: 'emp-rl:',
    // keys hold a hash of the client address, never the address itself (no personal data in the cache)
    keyGenerator: (request) => clientKey(request.ip),
    allowList: (request) => !request.url.startsWith('/api/'),
    errorResponseBuilder: (_request, context) => new RateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
    // Redis when up, in process while its breaker is open (never a 500)
    store: counter ? batchedRateLimitStore(counter, 'emp-rl:') : cacheRateLimitStore(ctx.cache, 'emp-rl:'),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Emporium API',
        version: '1.0.0',
        description: 'Headless e-commerce REST API. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onRequest', authenticate(config.secretKey, sessionChecker(ctx)));
  app.addHook('onRoute', guardBeforeValidation);
  // after schema validation, for every route: NUL characters and Infinity are 400s, not driver errors
  app.addHook('preHandler', rejectUnstorableInput);
  registerAuditTrail(app, (entry) => recordRouteEntry(ctx.db, entry));
  registerOps(app, ctx);
  registerMediaRoute(app, config);
  await registerAdminUi(app, config);
  for (const module of modules) {
    for (const [type, handler] of Object.entries(module.jobs?.(ctx) ?? {})) handlers.set(type, handler);
    if (module.routes) await app.register(async (scope) => module.routes?.(scope as App, ctx), { prefix: '/api/v1' });
  }
  return app;
}

/**
 * Every periodic job: the modules' own plus `ops.heartbeat`, a no-op whose rows show the scheduler ->
 * worker path alive (a missing recent done heartbeat is the alert; tests shorten its period).
 */
export const schedules = (heartbeatSeconds = 60) => [
  ...modules.flatMap((m) => m.schedules ?? []),
  { job: heartbeatJob, everySeconds: heartbeatSeconds },
];
