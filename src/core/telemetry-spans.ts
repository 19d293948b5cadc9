// OpenTelemetry helpers for the app (tracing itself is started by the core/tracing.ts preload when
// OTEL_EXPORTER_OTLP_ENDPOINT is set). Each is a no-op costing one property read when tracing is off.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

const TRACING_KEY = Symbol.for('emporium.tracing'); // set by core/tracing.ts
export const tracerProvider = () => (globalThis as Record<symbol, { forceFlush(): Promise<void> } | undefined>)[TRACING_KEY];
export const tracingOn = () => tracerProvider() !== undefined;

/** The HTTP server span takes the route's name (`GET /api/v1/products/:slug/`), never the raw URL. */
export function registerSpanNaming(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    if (!route || !span) return;
    span.updateName(`${request.method} ${route}`);
    span.setAttributes({ 'http.route': route, 'emporium.request_id': String(request.id) });
  });
}

/**
 * The W3C `traceparent` of the current span, stored with a job when it is enqueued so the job's own span can
 * link back to the request (or job) that caused it; undefined when tracing is off or nothing is traced.
 */
export function currentTraceParent(): string | undefined {
  if (!tracingOn()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs `run` with no current span (background loops started from within a request). */
export function outsideRequestTrace<T>(run: () => T): T {
  return tracingOn() ? context.with(ROOT_CONTEXT, run) : run();
}

/**
 * Runs a job inside a span of its own, a new trace linked to the trace that enqueued the job (a link, not a
 * parent: the job runs later, maybe many times, maybe in another process).
 */
export async function runInJobSpan<T>(
  job: { id: string; type: string; attempts: number; traceParent?: string | null },
  run: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return run();
  const parent = job.traceParent
    ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: job.traceParent }))
    : undefined;
  const tracer = trace.getTracer('emporium.jobs');
  const options = {
    kind: SpanKind.CONSUMER,
    links: parent ? [{ context: parent }] : [],
    attributes: { 'emporium.job.id': job.id, 'emporium.job.type': job.type, 'emporium.job.attempt': job.attempts },
  };
  return tracer.startActiveSpan(`job ${job.type}`, options, ROOT_CONTEXT, async (span) => {
    try {
      return await run();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'job failed' });
      throw error;
    } finally {
      span.end();
    }
  });
}
