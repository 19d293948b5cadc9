// HTTP plumbing shared by every module: problem+json errors, the not-found handler, and the TypeBox
// schemas that many routes reuse.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { isDbUnavailable, isTransientDbError } from './db.js';
import { AppError, type FieldErrors, pgErrorCode } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://emporium.dev/problems/';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** Problem responses every route may give; spread into a route's `response` schema. */
export const problemResponses = {
  '4xx': Type.Ref('Problem'),
  '5xx': Type.Ref('Problem'),
};

export const Uuid = Type.String({ format: 'uuid' });
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids from outside (URLs, provider metadata, free-form fields) that are not uuids cannot match a uuid column. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_RE.test(value);
export const IdParams = Type.Object({ id: Uuid });
export const Timestamp = Type.String({ format: 'date-time' });
/** A money amount as the API shows it: decimal string with the currency's minor digits. */
export const MoneyString = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', examples: ['19.99'] });
/** A money amount a client may send: decimal string (or number, which DRF also took). */
export const MoneyInput = Type.Union([Type.String({ pattern: '^\\d{1,12}(\\.\\d+)?$' }), Type.Number({ minimum: 0 })]);

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const messages: Record<string, (e: AjvError) => string> = {
  required: () => 'This field is required.',
  type: (e) => `Not a valid ${String(e.params.type)}.`,
  format: (e) =>
    e.params.format === 'email'
      ? 'Enter a valid email address.'
      : e.params.format === 'uuid'
        ? 'Must be a valid UUID.'
        : `Enter a valid ${String(e.params.format)}.`,
  minLength: (e) => `Ensure this field has at least ${String(e.params.limit)} characters.`,
  maxLength: (e) => `Ensure this field has no more than ${String(e.params.limit)} characters.`,
  minimum: (e) => `Ensure this value is greater than or equal to ${String(e.params.limit)}.`,
  maximum: (e) => `Ensure this value is less than or equal to ${String(e.params.limit)}.`,
  enum: (e) => `Must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}.`,
  pattern: () => 'Invalid format.',
};

/** Turns Ajv errors into DRF-style `{field: [messages]}`; nested paths are dotted (`items.0.quantity`). */
export function fieldErrorsOf(errors: AjvError[], context?: string): FieldErrors {
  const result: FieldErrors = {};
  for (const error of errors) {
    let field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (error.keyword === 'required')
      field = field ? `${field}.${String(error.params.missingProperty)}` : String(error.params.missingProperty);
    if (!field) field = context === 'body' || !context ? 'non_field_errors' : context;
    const message =
      messages[error.keyword]?.(error) ?? `${(error.message ?? 'Invalid value').replace(/^./, (c) => c.toUpperCase())}.`;
    const list = result[field] ?? [];
    result[field] = list;
    // anyOf/oneOf produce one error per branch; one clear message per field is enough
    if (!list.includes(message) && !(error.keyword === 'anyOf' && list.length)) list.push(message);
  }
  return result;
}

function problemBody(request: FastifyRequest, status: number, code: string, title: string, detail: string) {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    request_id: String(request.id),
  };
}

export function sendProblem(reply: FastifyReply, status: number, body: Record<string, unknown>) {
  return reply.status(status).type('application/problem+json').send(body);
}

export function registerErrorHandling(
  app: FastifyInstance,
  options: { exposeErrors: boolean /** Retry-After when the database is away. */; dbRetryAfterSeconds?: number },
) {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return sendProblem(reply, error.status, {
        ...problemBody(request, error.status, error.code, error.title, error.message),
        ...(error.errors ? { errors: error.errors } : {}),
        ...error.extra,
      });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors = fieldErrorsOf(fastifyError.validation as AjvError[], fastifyError.validationContext);
      return sendProblem(reply, 400, {
        ...problemBody(request, 400, 'invalid', 'Bad Request', 'Invalid input.'),
        errors,
      });
    }
    if (isTransientDbError(error)) {
      // a deadlock victim that outlived its retries: nothing was changed, the client may simply try again
      request.log.warn({ err: error }, 'transaction aborted by the database');
      reply.header('retry-after', '1');
      return sendProblem(
        reply,
        503,
        problemBody(request, 503, 'try_again', 'Service Unavailable', 'The request conflicted with another one; try again.'),
      );
    }
    if (isDbUnavailable(error)) {
      // connection lost, refused or pool wait timed out: the outage is ours, the request may come back later
      request.log.warn({ err: { type: 'DbUnavailable', message: databaseMessage(error) } }, 'database unavailable');
      reply.header('retry-after', String(options.dbRetryAfterSeconds ?? 5));
      return sendProblem(
        reply,
        503,
        problemBody(
          request,
          503,
          'service_unavailable',
          'Service Unavailable',
          'The database is unavailable; try again shortly.',
        ),
      );
    }
    if (pgErrorCode(error) === '57014') {
      // statement_timeout (or an operator's pg_cancel_backend): the query was cut off and rolled back
      request.log.warn({ err: error }, 'database statement cancelled (statement timeout)');
      reply.header('retry-after', '5');
      return sendProblem(
        reply,
        503,
        problemBody(
          request,
          503,
          'query_timeout',
          'Service Unavailable',
          'The database took too long to answer; try again later.',
        ),
      );
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large, rate limit...
      const code =
        status === 429
          ? 'throttled'
          : status === 413
            ? 'payload_too_large'
            : status === 415
              ? 'unsupported_media_type'
              : 'bad_request';
      if (status === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
      return sendProblem(reply, status, problemBody(request, status, code, titleOf(status), fastifyError.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    const detail = options.exposeErrors ? String(error.stack ?? error.message) : 'A server error occurred.';
    return sendProblem(reply, 500, problemBody(request, 500, 'server_error', 'Internal Server Error', detail));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      404,
      problemBody(request, 404, 'not_found', 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}

/** The driver's own message (Drizzle's wrapper quotes SQL and params, which stay out of logs and bodies). */
function databaseMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.message.startsWith('Failed query:') && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function titleOf(status: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      406: 'Not Acceptable',
      409: 'Conflict',
      413: 'Content Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Content',
      429: 'Too Many Requests',
    }[status] ?? 'Client Error'
  );
}

/** A DRF page: `{count, next, previous, results}`. */
export function Paginated<T extends TSchema>(item: T, name?: string) {
  return Type.Object(
    {
      count: Type.Integer(),
      next: Type.Union([Type.String(), Type.Null()]),
      previous: Type.Union([Type.String(), Type.Null()]),
      results: Type.Array(item),
    },
    name ? { title: name } : {},
  );
}
