import type { AppModule } from '../../core/module.js';
import { auditRoutes } from './audit.routes.js';

/** The audit trail's read API; the recording hook is app-wide (core/audit.ts). */
export const auditModule: AppModule = {
  name: 'audit',
  routes: auditRoutes,
};
