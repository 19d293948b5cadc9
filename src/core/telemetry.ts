// Opt-in error tracking (SENTRY_DSN -> @sentry/node). Initialised once per process, before the app is built
// (server.ts, worker.ts). Server errors (5xx) are reported with the request id, the user id, the release and
// the environment; every event passes `scrubEvent` first, so passwords, tokens, Authorization headers and
// cookies never leave the process. Callers' mistakes (4xx) are not errors of ours and are not reported.
import type * as SentryModule from '@sentry/node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { JobHandler } from './jobs.js';
import { registerSpanNaming, tracerProvider, tracingOn } from './telemetry-spans.js';

const FILTERED = '[Filtered]';
/** Keys whose values are secrets wherever they appear (headers, bodies, query strings, contexts). */
const SECRET_KEY =
  /pass(word)?|passwd|token|secret|authorization|cookie|session|refresh|access|api[-_]?key|signature|credential|otp/i;
/** Secrets that show up inside free text (error messages): bearer tokens and JWTs. */
const SECRET_TEXT = [/\bBearer\s+[\w.~+/=-]+/gi, /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+/g];

function scrubText(text: string): string {
  return SECRET_TEXT.reduce((out, pattern) => out.replace(pattern, FILTERED), text);
}

/** Deep copy with secret-named values replaced and secrets in strings masked. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (!value || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, SECRET_KEY.test(key) ? FILTERED : scrubValue(v, depth + 1)]),
  );
}

/** Sentry's beforeSend: the last stop of every event. */
export function scrubEvent<T extends SentryModule.Event>(event: T): T {
  const out = { ...event };
  if (out.request) {
    const { cookies: _cookies, ...request } = out.request;
    out.request = scrubValue(request) as SentryModule.Event['request'];
    if (typeof out.request?.query_string === 'string') {
      const params = new URLSearchParams(out.request.query_string);
      for (const key of [...params.keys()]) if (SECRET_KEY.test(key)) params.set(key, FILTERED);
      out.request.query_string = params.toString();
    }
  }
  for (const key of ['extra', 'contexts', 'tags', 'breadcrumbs'] as const) {
    if (out[key]) (out as Record<string, unknown>)[key] = scrubValue(out[key]);
  }
  for (const exception of out.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  if (out.message) out.message = scrubText(out.message);
  return out;
}

/** @sentry/node, loaded only when SENTRY_DSN is set (it costs ~40 MB of memory otherwise spent on nothing). */
let Sentry: typeof SentryModule | undefined;
let sentryOn = false;

/** Starts Sentry when SENTRY_DSN is set; a no-op otherwise. Call before building the app. */
export async function initTelemetry(config: Config): Promise<void> {
  if (config.sentryDsn && !sentryOn) {
    Sentry = await import('@sentry/node');
    Sentry.init({
      dsn: config.sentryDsn,
      release: config.release,
      environment: config.sentryEnvironment,
      // errors only: no tracing from Sentry (OpenTelemetry is configured separately), no automatic request data
      defaultIntegrations: false,
      integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration()],
      beforeSend: scrubEvent,
      beforeBreadcrumb: (crumb) => scrubValue(crumb) as SentryModule.Breadcrumb,
    });
    sentryOn = true;
  }
}

export const errorTrackingEnabled = () => sentryOn;

export interface ErrorContext {
  requestId?: string;
  userId?: string;
  /** What was being done, e.g. `GET /api/v1/orders/:id/` or `job orders.send_email`. */
  transaction?: string;
  request?: FastifyRequest;
}

/** Reports an unexpected error (with its request and user when there are). Never throws. */
export function reportError(error: unknown, context: ErrorContext = {}): void {
  if (!sentryOn || !Sentry) return;
  const sentry = Sentry;
  try {
    sentry.withScope((scope) => {
      if (context.requestId) scope.setTag('request_id', context.requestId);
      if (context.userId) scope.setUser({ id: context.userId });
      if (context.transaction) scope.setTransactionName(context.transaction);
      const request = context.request;
      if (request) {
        scope.addEventProcessor((event) => ({
          ...event,
          request: {
            method: request.method,
            url: request.url.split('?')[0],
            query_string: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : undefined,
            headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
            data: request.body ?? undefined,
          },
        }));
      }
      sentry.captureException(error);
    });
  } catch {
    // error reporting must never take a request down with it
  }
}

const failures = new WeakMap<FastifyRequest, unknown>();

/**
 * Reports the app's 5xx responses. onError runs before the error handler has chosen the status, so the error
 * is kept until onResponse, where the status that was really sent decides.
 */
export function registerErrorReporting(app: FastifyInstance): void {
  if (tracingOn()) registerSpanNaming(app);
  if (!sentryOn) return;
  app.addHook('onError', async (request, _reply, error) => {
    failures.set(request, error);
  });
  app.addHook('onResponse', async (request, reply) => {
    const error = failures.get(request);
    if (error === undefined || reply.statusCode < 500) return;
    reportError(error, {
      requestId: String(request.id),
      userId: (request as { user?: { id: string } }).user?.id,
      transaction: `${request.method} ${request.routeOptions.url ?? request.url}`,
      request,
    });
  });
}

/** Sends what is queued (before a process exits). */
export async function flushTelemetry(timeoutMs = 2000): Promise<void> {
  if (Sentry && sentryOn) await Sentry.flush(timeoutMs);
  const provider = tracerProvider();
  if (provider) await Promise.race([provider.forceFlush(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
}

/** A job handler that reports its failures (the runner still retries and dead-letters as before). */
export function reportingJobErrors(type: string, handler: JobHandler): JobHandler {
  if (!sentryOn) return handler;
  return async (job) => {
    try {
      await handler(job);
    } catch (error) {
      reportError(error, { transaction: `job ${type}` });
      throw error;
    }
  };
}
