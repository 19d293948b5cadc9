// Every environment variable Emporium reads, parsed and validated once. A bad value stops start-up with a
// message naming the variable; the result is typed and frozen.
import path from 'node:path';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function fail(name: string, message: string): never {
  throw new ConfigError(`Invalid environment variable ${name}: ${message}`);
}

function str(env: Env, name: string, fallback: string): string {
  return read(env, name) ?? fallback;
}

function optionalUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    fail(name, `"${value}" is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) fail(name, `protocol must be one of ${protocols.join(', ')}`);
  return value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) fail(name, `"${value}" is not an integer`);
  const n = Number(value);
  if (n < min || n > max) fail(name, `${n} is outside ${min}..${max}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return fail(name, `"${value}" is not a boolean (true/false)`);
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) fail(name, `"${value}" is not one of ${choices.join(', ')}`);
  return value as T;
}

/** Parses durations like `15m`, `7d`, `30s`, `1h` or a plain number of seconds into seconds. */
function duration(env: Env, name: string, fallback: string): number {
  const value = read(env, name) ?? fallback;
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value);
  if (!match) fail(name, `"${value}" is not a duration (e.g. 30s, 15m, 1h, 7d)`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) fail(name, 'must be greater than zero');
  return seconds;
}

function decimalRate(env: Env, name: string, fallback: string): number {
  const value = read(env, name) ?? fallback;
  if (!/^\d+(\.\d{1,4})?$/.test(value) || Number(value) > 1) fail(name, `"${value}" is not a rate between 0 and 1`);
  // Stored in basis points of a percent (1/10000) so tax math stays integer.
  return Math.round(Number(value) * 10000);
}

/** `DE:0.19,FR:0.2` -> { DE: 1900, FR: 2000 } (basis points, per ISO country code). */
function rateMap(env: Env, name: string): Record<string, number> {
  const value = read(env, name);
  const rates: Record<string, number> = {};
  if (value === undefined) return rates;
  for (const part of value.split(',')) {
    const match = /^\s*([A-Za-z]{2})\s*:\s*(\d+(?:\.\d{1,4})?)\s*$/.exec(part);
    if (!match || Number(match[2]) > 1) fail(name, `"${part}" is not COUNTRY:rate (e.g. DE:0.19)`);
    rates[(match[1] as string).toUpperCase()] = Math.round(Number(match[2]) * 10000);
  }
  return rates;
}

function currency(env: Env, name: string, fallback: string): string {
  const value = (read(env, name) ?? fallback).toUpperCase();
  if (!/^[A-Z]{3}$/.test(value)) fail(name, `"${value}" is not an ISO 4217 currency code`);
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: value });
  } catch {
    fail(name, `"${value}" is not a known currency`);
  }
  return value;
}

export function loadConfig(env: Env = process.env) {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const dataDir = path.resolve(str(env, 'DATA_DIR', './var'));
  const secretKey = read(env, 'SECRET_KEY');
  if (nodeEnv === 'production' && (secretKey === undefined || secretKey.length < 32)) {
    fail('SECRET_KEY', 'must be set to at least 32 characters in production');
  }
  if (secretKey !== undefined && secretKey.length < 16) fail('SECRET_KEY', 'must be at least 16 characters');
  const stripeSecretKey = read(env, 'STRIPE_SECRET_KEY');
  const amqpUrl = optionalUrl(env, 'AMQP_URL', ['amqp:', 'amqps:']);
  const config = {
    nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port: int(env, 'PORT', 8000, 0, 65535),
    /** Absolute URL the API is reached at; used in links sent by email. */
    publicUrl: optionalUrl(env, 'PUBLIC_URL', ['http:', 'https:']) ?? 'http://localhost:8000',
    /** Where the storefront handles links from emails (verify, reset). */
    frontendUrl: optionalUrl(env, 'FRONTEND_URL', ['http:', 'https:']) ?? 'http://localhost:3000',
    dataDir,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    corsOrigins: (read(env, 'CORS_ORIGINS') ?? '*').split(',').map((s) => s.trim()),
    databaseUrl: optionalUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    /** PostgreSQL statement_timeout per connection (0 turns it off); a statement cut by it answers 503. */
    databaseStatementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 15000, 0, 3600000),
    /** Direct PostgreSQL URL for the live stream's LISTEN connection (PgBouncer's transaction mode has no LISTEN). */
    eventsDatabaseUrl: optionalUrl(env, 'EVENTS_DATABASE_URL', ['postgres:', 'postgresql:']),
    /**
     * Direct PostgreSQL URL (no transaction pooler) for what needs a session: migrations and the scheduler's
     * advisory locks, LISTEN (unless EVENTS_DATABASE_URL says otherwise). Setting it says DATABASE_URL goes
     * through PgBouncer in transaction mode: the pool then sends no statement_timeout startup parameter.
     */
    databaseDirectUrl: optionalUrl(env, 'DATABASE_DIRECT_URL', ['postgres:', 'postgresql:']),
    /** Read replica for public catalog reads (core/replica.ts); unset = every read on DATABASE_URL. */
    databaseReplicaUrl: optionalUrl(env, 'DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']),
    /** After a catalog write, catalog reads stay on the primary this long (longer than the replica's lag). */
    databaseReplicaLagMs: int(env, 'DATABASE_REPLICA_LAG_MS', 2000, 0, 3600000),
    /** Opt-in error tracking (core/telemetry.ts); release and environment tag every event. */
    sentryDsn: optionalUrl(env, 'SENTRY_DSN', ['http:', 'https:']),
    sentryEnvironment: read(env, 'SENTRY_ENVIRONMENT') ?? nodeEnv,
    release: read(env, 'SENTRY_RELEASE') ?? `emporium@${env.npm_package_version ?? 'dev'}`,
    /** Seconds between heartbeat comments on the live notification stream. */
    sseHeartbeat: duration(env, 'SSE_HEARTBEAT', '15s'),
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    amqpUrl,
    smtpUrl: optionalUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM', 'Emporium <no-reply@emporium.local>'),
    secretKey: secretKey ?? 'insecure-development-secret-change-me',
    accessTokenTtl: duration(env, 'ACCESS_TOKEN_TTL', '15m'),
    refreshTokenTtl: duration(env, 'REFRESH_TOKEN_TTL', '7d'),
    emailVerificationTtl: duration(env, 'EMAIL_VERIFICATION_TTL', '24h'),
    passwordResetTtl: duration(env, 'PASSWORD_RESET_TTL', '1h'),
    /** Login attempts per email and client IP pair per window (one client guessing one account). */
    loginRateLimit: int(env, 'LOGIN_RATE_LIMIT', 10, 1, 100000),
    /** Login attempts per email per window from clients that never logged in to it (distributed guessing). */
    loginEmailRateLimit: int(env, 'LOGIN_EMAIL_RATE_LIMIT', 100, 1, 1000000),
    /** Login attempts per client IP per window; higher than the per-email limit since users share IPs (NAT). */
    loginIpRateLimit: int(env, 'LOGIN_IP_RATE_LIMIT', 100, 1, 1000000),
    passwordResetRateLimit: int(env, 'PASSWORD_RESET_RATE_LIMIT', 5, 1, 100000),
    rateLimitWindow: duration(env, 'RATE_LIMIT_WINDOW', '15m'),
    apiRateLimit: int(env, 'API_RATE_LIMIT', 600, 1, 10000000),
    /** Run jobs inside the API process (embedded default); with AMQP_URL, `worker` processes run them instead. */
    jobsInProcess: bool(env, 'JOBS_IN_PROCESS', !amqpUrl),
    jobPollInterval: int(env, 'JOB_POLL_INTERVAL_MS', 1000, 10, 600000),
    /** Days the audit trail and field history are kept (daily cleanup job); 0 keeps them forever. */
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', 365, 0, 36500),
    currency: currency(env, 'CURRENCY', 'USD'),
    taxRate: decimalRate(env, 'TAX_RATE', '0'),
    /** Per shipping-country tax rates overriding TAX_RATE, e.g. `DE:0.19,FR:0.2`. */
    taxRates: rateMap(env, 'TAX_RATES'),
    shippingFlatRate: int(env, 'SHIPPING_FLAT_RATE', 500, 0, 100000000),
    freeShippingThreshold: int(env, 'FREE_SHIPPING_THRESHOLD', 5000, 0, 1000000000),
    orderPaymentTimeout: duration(env, 'ORDER_PAYMENT_TIMEOUT', '30m'),
    manualPaymentTimeout: duration(env, 'MANUAL_PAYMENT_TIMEOUT', '7d'),
    guestCartTtl: duration(env, 'GUEST_CART_TTL', '30d'),
    paymentProvider: oneOf(env, 'PAYMENT_PROVIDER', ['manual', 'stripe'] as const, stripeSecretKey ? 'stripe' : 'manual'),
    stripeSecretKey,
    stripeWebhookSecret: read(env, 'STRIPE_WEBHOOK_SECRET'),
    stripeApiBase: optionalUrl(env, 'STRIPE_API_BASE', ['http:', 'https:']),
    mediaUrl: str(env, 'MEDIA_URL', '/media/'),
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    s3: {
      bucket: read(env, 'S3_BUCKET'),
      region: str(env, 'S3_REGION', 'us-east-1'),
      endpoint: optionalUrl(env, 'S3_ENDPOINT', ['http:', 'https:']),
      accessKeyId: read(env, 'S3_ACCESS_KEY_ID'),
      secretAccessKey: read(env, 'S3_SECRET_ACCESS_KEY'),
      publicUrl: optionalUrl(env, 'S3_PUBLIC_URL', ['http:', 'https:']),
    },
    cacheTtl: duration(env, 'CACHE_TTL', '5m'),
    /** Bytes of rendered catalog responses each API process keeps in front of Redis (0: none). */
    /** Bytes the in-process cache (no REDIS_URL) may hold; least recently used entries go first. */
    memoryCacheBytes: int(env, 'MEMORY_CACHE_BYTES', 32 * 1024 * 1024, 1024 * 1024, 4 * 1024 * 1024 * 1024),
    nearCacheBytes: int(env, 'NEAR_CACHE_BYTES', 16 * 1024 * 1024, 0, 4 * 1024 * 1024 * 1024),
    /** How often API rate-limit counts are added to Redis (limits hold across processes within about that). */
    rateLimitSyncMs: int(env, 'RATE_LIMIT_SYNC_MS', 100, 10, 10000),
    // resilience (docs/operations.md): bounded waits, backoff and give-up times for each dependency
    /** Error bodies carry stack traces (which may quote SQL and its parameters): an explicit opt-in only. */
    debugErrors: bool(env, 'DEBUG_ERRORS', false),
    databaseConnectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600000),
    /** Retry-After (seconds) of the 503 answered while the database is unreachable. */
    unavailableRetryAfter: int(env, 'UNAVAILABLE_RETRY_AFTER', 5, 1, 3600),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60000),
    redisBreakerOpenMs: int(env, 'REDIS_BREAKER_OPEN_MS', 2000, 10, 600000),
    amqpReconnectInitialMs: int(env, 'AMQP_RECONNECT_INITIAL_MS', 500, 10, 600000),
    amqpReconnectMaxMs: int(env, 'AMQP_RECONNECT_MAX_MS', 30000, 10, 3600000),
    /** A worker without a broker for this long exits non-zero for its supervisor to restart it; 0 = never. */
    amqpGiveUpAfterMs: int(env, 'AMQP_GIVE_UP_AFTER_MS', 300000, 0, 86400000),
    /** Seconds a running job's lease lasts (renewed every third of it); a killed worker's job reruns after it. */
    jobLockSeconds: int(env, 'JOB_LOCK_SECONDS', 60, 1, 86400),
    /** Port of /health/, /ready/ and /metrics of the worker and scheduler processes (0 = any free port). */
    opsPort: int(env, 'OPS_PORT', 9100, 0, 65535),
    schedulerTickMs: int(env, 'SCHEDULER_TICK_MS', 15000, 10, 3600000),
    /** How often a standby scheduler tries to take the lock, and the active one checks it still holds it. */
    schedulerLockCheckMs: int(env, 'SCHEDULER_LOCK_CHECK_MS', 2000, 10, 600000),
    /** Period of the no-op `ops.heartbeat` job (scheduler -> broker -> worker liveness). */
    schedulerHeartbeatSeconds: int(env, 'SCHEDULER_HEARTBEAT_SECONDS', 60, 1, 86400),
  };
  if (config.databaseReplicaUrl && !config.databaseUrl) fail('DATABASE_REPLICA_URL', 'needs DATABASE_URL (the primary)');
  if (config.paymentProvider === 'stripe' && !config.stripeSecretKey) {
    fail('PAYMENT_PROVIDER', 'is "stripe" but STRIPE_SECRET_KEY is not set');
  }
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

function deepFreeze<T>(value: T): T {
  for (const inner of Object.values(value as object)) {
    if (inner && typeof inner === 'object') deepFreeze(inner);
  }
  return Object.freeze(value);
}
