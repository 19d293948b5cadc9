// Keeps personal data and secrets out of the logs, whatever a caller hands the logger: a failed query's bound
// parameters (DrizzleQueryError carries them in `.params` and in its message), PostgreSQL's "Key (email)=(...)"
// details, emails (masked j***@example.com), JWTs, bearer tokens, and token/password/email values in URLs.
// Wired into pino by createLogger (app.ts) as the `err`/`req` serializers, a log formatter and a logMethod hook.
import pino, { type LoggerOptions } from 'pino';

const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
const JWT_RE = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER_RE = /\b(Bearer\s+)[\w.~+/-]+=*/gi;
const QUERY_SECRET_RE = /([?&](?:token|key|password|email|code|secret|signature|refresh|access|cart_token)=)[^&\s#"']*/gi;
const PG_KEY_DETAIL_RE = /(Key \([^)]*\)=\()[\s\S]*?(\)( already exists| is not present| is still referenced|$))/g;
const PARAMS_LINE_RE = /\nparams: [^\n]*/g;
/** Object keys whose values are never logged. */
const SECRET_KEYS = new Set([
  'params',
  'parameters',
  'password',
  'new_password',
  'old_password',
  'password_hash',
  'passwordHash',
  'token',
  'refresh',
  'access',
  'authorization',
  'cookie',
  'client_secret',
  'clientSecret',
  'secret',
]);
const MAX_DEPTH = 6;

export const maskEmail = (text: string) => text.replace(EMAIL_RE, '$1***@$2');

/** Bound parameter values of a failed query and its causes, as the strings that may appear in messages. */
function boundValues(error: unknown): string[] {
  const values = new Set<string>();
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const params = (current as { params?: unknown }).params;
    if (Array.isArray(params)) {
      for (const value of params.flat(2)) {
        if (value === null || value === undefined) continue;
        const text =
          value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
        // short values ("1", "t") would garble SQL placeholders and carry no personal data
        if (text.length >= 4) values.add(text);
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** A log string with secrets and personal data taken out; `secrets` are exact values to remove. */
export function scrubText(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[param]');
  return maskEmail(
    out
      .replace(PARAMS_LINE_RE, '\nparams: [redacted]')
      .replace(PG_KEY_DETAIL_RE, '$1[redacted]$2')
      .replace(JWT_RE, '[jwt]')
      .replace(BEARER_RE, '$1[redacted]')
      .replace(QUERY_SECRET_RE, '$1[redacted]'),
  );
}

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Plain data scrubbed deeply; errors serialized safely; other class instances left to their serializer. */
export function scrubValue(value: unknown, secrets: string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return serializeError(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key) ? '[redacted]' : scrubValue(inner, secrets, depth + 1);
  }
  return out;
}

/** pino's error serializer (type, message and stack with causes, own fields) minus parameters and personal data. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return scrubValue(error);
  const secrets = boundValues(error);
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(serialized)) {
    if (key === 'raw' || SECRET_KEYS.has(key)) continue;
    out[key] = scrubValue(serialized[key], secrets);
  }
  return out;
}

/** An error's message without bound parameters or personal data (for logs, and for stored job errors). */
export function safeMessage(error: Error): string {
  return scrubText(error.message, boundValues(error));
}

function errorOf(arg: unknown): Error | undefined {
  if (arg instanceof Error) return arg;
  if (arg && typeof arg === 'object' && (arg as { err?: unknown }).err instanceof Error) return (arg as { err: Error }).err;
  return undefined;
}

/** The pino options createLogger merges in. */
export const logRedaction: Pick<LoggerOptions, 'serializers' | 'formatters' | 'hooks'> = {
  serializers: {
    err: serializeError,
    error: serializeError,
    req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
      method: req.method,
      url: typeof req.url === 'string' ? scrubText(req.url) : req.url,
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    }),
  },
  formatters: {
    log: (object) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(object)) {
        out[key] = SECRET_KEYS.has(key) ? '[redacted]' : key === 'req' || key === 'res' ? value : scrubValue(value);
      }
      return out;
    },
  },
  hooks: {
    logMethod(args, method) {
      const error = errorOf(args[0]);
      const safe = args.map((arg) => (typeof arg === 'string' ? scrubText(arg, error ? boundValues(error) : []) : arg));
      // without a message pino would log the error's own message, which holds a failed query's parameters
      if (error && typeof safe[1] !== 'string') safe.splice(1, 0, safeMessage(error));
      return method.apply(this, safe as Parameters<typeof method>);
    },
  },
};
