// CORS for browser storefronts on other origins: every method the API uses, the request headers clients send,
// the response headers they must read, and a preflight cached for two hours (Chromium's cap). With explicit
// CORS_ORIGINS, other origins get no Access-Control-Allow-Origin, so browsers refuse them.
import type { FastifyCorsOptions } from '@fastify/cors';
import type { Config } from '../config.js';

export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const CORS_REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Cart-Token',
  'If-None-Match',
  'X-Request-Id',
  'Accept',
  'Accept-Language',
];
export const CORS_EXPOSED_HEADERS = [
  'X-Cart-Token',
  'ETag',
  'Retry-After',
  'X-Request-Id',
  'Location',
  'Idempotent-Replayed',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

export function corsOptions(config: Pick<Config, 'corsOrigins'>): FastifyCorsOptions {
  return {
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    methods: CORS_METHODS,
    allowedHeaders: CORS_REQUEST_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 7200,
  };
}
