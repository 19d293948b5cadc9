// Typed domain errors. Services throw them; one Fastify error handler (core/http.ts) turns them into
// RFC 9457 problem+json with a stable `code` and the request id.

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors?: FieldErrors;
  /** Extra members merged into the problem body (e.g. `available` for out of stock). */
  readonly extra?: Record<string, unknown>;
  /** Response headers to add (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    options: { errors?: FieldErrors; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

export class ValidationFailed extends AppError {
  constructor(errors: FieldErrors, detail = 'Invalid input.', code = 'invalid') {
    super(400, code, 'Bad Request', detail, { errors });
  }
}

/** Shorthand for a single field's validation failure. */
export function fieldError(field: string, message: string, code = 'invalid'): ValidationFailed {
  return new ValidationFailed({ [field]: [message] }, message, code);
}

export class BadRequest extends AppError {
  constructor(detail: string, code = 'bad_request') {
    super(400, code, 'Bad Request', detail);
  }
}

export class Unauthorized extends AppError {
  constructor(detail = 'Authentication credentials were not provided.', code = 'not_authenticated') {
    super(401, code, 'Unauthorized', detail, { headers: { 'www-authenticate': 'Bearer realm="api"' } });
  }
}

export class Forbidden extends AppError {
  constructor(detail = 'You do not have permission to perform this action.', code = 'permission_denied') {
    super(403, code, 'Forbidden', detail);
  }
}

export class NotFound extends AppError {
  constructor(detail = 'Not found.', code = 'not_found') {
    super(404, code, 'Not Found', detail);
  }
}

export class Conflict extends AppError {
  constructor(detail: string, code = 'conflict', extra?: Record<string, unknown>) {
    super(409, code, 'Conflict', detail, { extra });
  }
}

export class OutOfStock extends AppError {
  constructor(detail: string, extra?: Record<string, unknown>) {
    super(409, 'out_of_stock', 'Conflict', detail, { extra });
  }
}

/** A business rule refused an otherwise well-formed request. */
export class BusinessRuleFailed extends AppError {
  constructor(detail: string, code = 'unprocessable') {
    super(422, code, 'Unprocessable Content', detail);
  }
}

export class PaymentFailed extends AppError {
  constructor(detail: string, code = 'payment_failed') {
    super(402, code, 'Payment Required', detail);
  }
}

export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'throttled', 'Too Many Requests', `Request was throttled. Expected available in ${retryAfterSeconds} seconds.`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
      extra: { retry_after: retryAfterSeconds },
    });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail: string, extra?: Record<string, unknown>) {
    super(503, 'service_unavailable', 'Service Unavailable', detail, { extra });
  }
}

/** PostgreSQL error code of a driver error (pg or PGlite), e.g. '23505' for unique violation. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Name of the violated constraint of a driver error, when there is one. */
export function pgConstraint(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const name = (current as { constraint?: unknown }).constraint;
    if (typeof name === 'string') return name;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => pgErrorCode(error) === '23505';
