// Admin API: bulk product actions and CSV import/export of products, and the orders CSV export.

import { Readable } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { currentUser, requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { fieldError } from '../../core/errors.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { ProductListQuery } from '../catalog/catalog.schemas.js';
import { bulkUpdateProducts } from '../catalog/products-bulk.service.js';
import { EXPORT_COLUMNS, exportProducts } from '../catalog/products-export.service.js';
import { importProducts } from '../catalog/products-import.service.js';
import { exportOrders, OrderFilterQuery, orderQueryFrom } from '../orders/orders.service.js';
import { csvLines, MAX_IMPORT_BYTES, parseImportCsv } from './admin.csv.js';
import { ORDER_EXPORT_COLUMNS, orderRow } from './admin.present.js';
import { BulkBody, BulkResult, ImportQuery, ImportReportJson } from './admin.schemas.js';

const CSV_TYPES = ['text/csv', 'application/csv'];

/** The CSV text of an import: a raw text/csv body, or the one file of a multipart form. */
async function csvTextOf(request: FastifyRequest): Promise<string> {
  if (request.isMultipart()) {
    for await (const part of request.parts({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 } })) {
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

const CsvResponse = {
  200: { description: 'CSV (streamed)', content: { 'text/csv': { schema: Type.String() } } },
  ...problemResponses,
};

/**
 * Streams CSV: the header, then each batch as it comes from the database. The first batch is read before the
 * reply starts, so a bad filter or a database error is still a problem+json answer, not a cut-off file.
 */
async function sendCsv<T>(
  reply: FastifyReply,
  name: string,
  columns: readonly string[],
  batches: AsyncGenerator<T[]>,
  toRow: (item: T) => unknown[],
) {
  const first = await batches.next();
  async function* lines() {
    yield csvLines(columns, [], true);
    if (first.done) return;
    yield csvLines(columns, first.value.map(toRow), false);
    for await (const batch of batches) yield csvLines(columns, batch.map(toRow), false);
  }
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${date}.csv"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines()));
}

export async function adminProductRoutes(app: App, ctx: AppContext) {
  // multipart parsing is app-wide (core/request-habits.ts); the import allows a bigger file than an image
  for (const type of CSV_TYPES) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) =>
        done(null, body),
      );
    }
  }

  app.get(
    '/admin/products/export/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Products as CSV (one row per variant, the import columns), with the staff list filters',
        querystring: ProductListQuery,
        produces: ['text/csv'],
        response: CsvResponse,
      },
    },
    async (request, reply) => sendCsv(reply, 'products', EXPORT_COLUMNS, exportProducts(ctx, request.query), (row) => row),
  );

  app.get(
    '/admin/orders/export/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Orders as CSV with the filters of GET /orders/?all=true',
        querystring: Type.Object({ ...OrderFilterQuery }),
        produces: ['text/csv'],
        response: CsvResponse,
      },
    },
    async (request, reply) => {
      const query = { ...orderQueryFrom(request.query), all: true };
      return sendCsv(reply, 'orders', ORDER_EXPORT_COLUMNS, exportOrders(ctx, currentUser(request), query), orderRow);
    },
  );

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
