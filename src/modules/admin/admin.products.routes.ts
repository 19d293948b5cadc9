// Admin API: bulk product actions and CSV import/export of products, and the orders CSV export.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { fieldError } from '../../core/errors.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { bulkUpdateProducts } from '../catalog/products-bulk.service.js';
import { importProducts } from '../catalog/products-import.service.js';
import { MAX_IMPORT_BYTES, parseImportCsv } from './admin.csv.js';
import { BulkBody, BulkResult, ImportQuery, ImportReportJson } from './admin.schemas.js';

const CSV_TYPES = ['text/csv', 'application/csv'];

/** The CSV text of an import: a raw text/csv body, or the one file of a multipart form. */
async function csvTextOf(request: FastifyRequest): Promise<string> {
  if (request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type === 'file') return (await (part as MultipartFile).toBuffer()).toString('utf8');
    }
    throw fieldError('file', 'No file was submitted.', 'required');
  }
  if (typeof request.body !== 'string') {
    throw fieldError('file', 'Send the CSV as a text/csv body or as a file in multipart/form-data.', 'required');
  }
  return request.body;
}

const staffOnly = { tags: ['admin'], security: [{ bearerAuth: [] }] };

export async function adminProductRoutes(app: App, ctx: AppContext) {
  await app.register(multipart, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 } });
  for (const type of CSV_TYPES) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) =>
        done(null, body),
      );
    }
  }

  app.post(
    '/admin/products/import/',
    {
      // staff is checked before the (up to 10 MB) body is read
      onRequest: requireStaff,
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        ...staffOnly,
        summary: 'Import products and variants from CSV (create or update by slug / SKU); dry run by default',
        description:
          'Body: text/csv, or multipart/form-data with one file. Columns: product_slug*, product_name, category_slug, ' +
          'description, is_active, is_featured, variant_sku*, variant_name, price, stock_quantity, low_stock_threshold. ' +
          'All or nothing: with any row error a real run imports nothing (400 import_invalid with the report).',
        consumes: [...CSV_TYPES, 'multipart/form-data'],
        querystring: ImportQuery,
        response: { 200: ImportReportJson, ...problemResponses },
      },
    },
    async (request) => {
      const rows = parseImportCsv(await csvTextOf(request));
      return importProducts(ctx, rows, { dryRun: request.query.dry_run });
    },
  );

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
