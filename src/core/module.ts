// What a feature module hands to the app: its routes, its job handlers and its periodic schedules.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { AppContext } from './context.js';
import type { JobHandler } from './jobs.js';
import type { Schedule } from './scheduler.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppModule {
  name: string;
  /** Registers the module's routes; `ctx` gives it the infrastructure to build its services from. */
  routes?: (app: App, ctx: AppContext) => Promise<void> | void;
  /** Job handlers by job type; built from the context once at start. */
  jobs?: (ctx: AppContext) => Record<string, JobHandler>;
  schedules?: Schedule[];
}
