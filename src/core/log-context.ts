// Puts the current request id (or job id) on every log line written while serving it, including lines from
// services that log through the shared logger rather than `request.log`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MixinFn } from 'pino';

export interface LogContext {
  request_id?: string;
  job_id?: string;
  job_type?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, run: () => T): T {
  return storage.run(context, run);
}

/** pino `mixin`: the fields of the current context that the logger has not bound already. */
export const logContextMixin: MixinFn = (_merge, _level, logger) => {
  const context = storage.getStore();
  if (!context) return {};
  const bound = logger.bindings();
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) if (value !== undefined && !(key in bound)) extra[key] = value;
  return extra;
};

/** The request id / job id of the code running now, if any (core/audit-scope.ts attributes changes by it). */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
