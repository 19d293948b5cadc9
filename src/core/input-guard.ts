// Input the schemas let through but PostgreSQL (or arithmetic) cannot take: a NUL character in any string
// (PostgreSQL text cannot store U+0000; the query would fail with a 500) and a non-finite number (Ajv coerces
// "1e999" or "Infinity" to Infinity and then skips minimum/maximum: ajv-validator/ajv#2212). app.ts adds
// `rejectUnstorableInput` as a preHandler hook for every route; it runs after schema validation.
import type { FastifyRequest } from 'fastify';
import { type FieldErrors, ValidationFailed } from './errors.js';

const NUL_MESSAGE = 'Null characters are not allowed.';
const NOT_FINITE_MESSAGE = 'A valid number is required.';

// JSON bodies, and params/query (whose prototypes are null-prototype objects); not Buffers, dates or streams
const isPlainObject = (value: object) =>
  !ArrayBuffer.isView(value) && !(value instanceof Date) && typeof (value as { pipe?: unknown }).pipe !== 'function';

function collect(value: unknown, path: string, errors: FieldErrors, depth: number): void {
  if (depth > 20) return;
  let message: string | undefined;
  if (typeof value === 'string' && value.includes('\u0000')) message = NUL_MESSAGE;
  else if (typeof value === 'number' && !Number.isFinite(value)) message = NOT_FINITE_MESSAGE;
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collect(v, path ? `${path}.${i}` : String(i), errors, depth + 1);
  } else if (value && typeof value === 'object' && isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) collect(v, path ? `${path}.${key}` : key, errors, depth + 1);
  }
  if (message) {
    const field = path || 'non_field_errors';
    errors[field] = [...(errors[field] ?? []), message];
  }
}

/** preHandler: 400 with field errors for NUL characters or non-finite numbers in params, query or body. */
export async function rejectUnstorableInput(request: FastifyRequest): Promise<void> {
  const errors: FieldErrors = {};
  for (const part of [request.params, request.query, request.body]) collect(part, '', errors, 0);
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
}
