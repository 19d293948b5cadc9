// Admin API: bulk product actions and CSV import/export of products, and the orders CSV export.
import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { bulkUpdateProducts } from '../catalog/products-bulk.service.js';
import { BulkBody, BulkResult } from './admin.schemas.js';

const staffOnly = { tags: ['admin'], security: [{ bearerAuth: [] }] };

export function adminProductRoutes(app: App, ctx: AppContext) {
  app.post(
    '/admin/products/bulk/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'One action on many products: one transaction, one audit entry (params list the ids)',
        body: BulkBody,
        response: { 200: BulkResult, ...problemResponses },
      },
    },
    async (request) => {
      const body = request.body;
      request.auditParams = { action: body.action, ids: body.ids.join(',') };
      return bulkUpdateProducts(ctx, body);
    },
  );
}
