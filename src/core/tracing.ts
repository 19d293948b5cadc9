// Opt-in OpenTelemetry tracing, preloaded before the app so its instrumentations can patch the modules the app
// imports: `node --import ./dist/src/core/tracing.js dist/src/server.js` (the Dockerfile and docker-compose
// start every process this way). Without OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) this file does
// nothing and loads nothing else. With it: spans for incoming HTTP requests (named by route, core/telemetry.ts),
// PostgreSQL (pg), Redis (ioredis) and RabbitMQ (amqplib), and one span per job linked to the request that
// enqueued it, exported as OTLP/HTTP JSON. Spans pass `scrubSpan` on their way out: no query strings, no
// header or secret-named attributes, no tokens in messages; SQL is exported without its parameters.
//
// dist/ is ESM compiled file by file (scripts/build.mjs), so ESM imports are hooked with import-in-the-middle
// (registered through node:module `register`), and the CommonJS requires inside packages with
// require-in-the-middle; only the modules an instrumentation asks for are wrapped.
import { register } from 'node:module';
import path from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;

/** Set on globalThis once tracing runs; core/telemetry.ts reads it (and costs nothing without it). */
export const TRACING_KEY = Symbol.for('emporium.tracing');

const FILTERED = '[Filtered]';
// `params`: SQL parameters, should an ORM ever attach them (drizzle's own spans would carry drizzle.query.params)
const SECRET_ATTRIBUTE = /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|signature|params|\.query$/i;
const URL_ATTRIBUTE = /^(http\.url|http\.target|url\.full|url\.original|http\.request\.header\.referer)$/;
const SECRET_TEXT = [/\bBearer\s+[\w.~+/=-]+/gi, /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+/g];

const scrubText = (text: string) => SECRET_TEXT.reduce((out, pattern) => out.replace(pattern, FILTERED), text);

function scrubAttributes<T extends Record<string, unknown>>(attributes: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (SECRET_ATTRIBUTE.test(key) && !key.startsWith('db.')) continue;
    if (typeof value !== 'string') out[key] = value;
    else if (URL_ATTRIBUTE.test(key)) out[key] = value.split('?')[0];
    else out[key] = scrubText(value);
  }
  return out as T;
}

/** The span as exported: query strings cut off URLs, secret-named attributes dropped, tokens masked in text. */
export function scrubSpan(span: ReadableSpan): ReadableSpan {
  return Object.create(span, {
    attributes: { value: scrubAttributes(span.attributes), enumerable: true },
    events: {
      value: span.events.map((e) => ({ ...e, attributes: e.attributes && scrubAttributes(e.attributes) })),
      enumerable: true,
    },
    status: { value: { ...span.status, message: span.status.message && scrubText(span.status.message) }, enumerable: true },
  });
}

/** Wraps the OTLP exporter so every span is scrubbed in one place, whatever instrumentation made it. */
function scrubbingExporter(inner: SpanExporter): SpanExporter {
  return {
    export: (spans, done) => inner.export(spans.map(scrubSpan), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

async function startTracing(): Promise<void> {
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, instr] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/instrumentation'),
    ]);
  const [{ HttpInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }, { AmqplibInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
      import('@opentelemetry/instrumentation-amqplib'),
    ]);

  const role = path.basename(process.argv[1] ?? 'node', '.js'); // server, worker, scheduler, migrate...
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME || 'emporium',
      'service.version': process.env.npm_package_version ?? 'dev',
      'emporium.process': role,
    }),
    spanProcessors: [new BatchSpanProcessor(scrubbingExporter(new OTLPTraceExporter()))],
  });
  provider.register(); // global tracer provider, AsyncLocalStorage context, W3C trace-context propagation

  instr.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // probes and scrapes would drown the traces that matter
        ignoreIncomingRequestHook: (request) => /^\/(health|ready|metrics)\b/.test(request.url ?? ''),
      }),
      // SQL text only (enhancedDatabaseReporting off: no parameters); the job runner's idle polling is not traced
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      // the command name only: keys and values may carry ids and cached personal data
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      new AmqplibInstrumentation(),
    ],
  });
  await waitForAllMessagesAcknowledged();
  (globalThis as Record<symbol, unknown>)[TRACING_KEY] = provider;
}

if (endpoint) await startTracing();
