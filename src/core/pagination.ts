// DRF PageNumberPagination: `?page=N&page_size=M` (default 20, max 100) -> {count, next, previous, results}
// with absolute next/previous URLs; a page past the end is a 404 "Invalid page.". As in DRF, a page_size above
// the maximum is clamped to it and 0 or junk means the default (core/request-habits.ts, before validation).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { NotFound } from './errors.js';

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page number, from 1' })),
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      description: 'Items per page (default 20; above 100 gives 100; 0 or junk gives the default)',
    }),
  ),
};

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageRequest(query: { page?: number; page_size?: number }, defaultSize = 20): PageRequest {
  const page = query.page ?? 1;
  const pageSize = query.page_size ?? defaultSize;
  // a huge ?page= must reach toPage's 404, not overflow the database's bigint OFFSET
  return { page, pageSize, offset: Math.min((page - 1) * pageSize, Number.MAX_SAFE_INTEGER) };
}

/** The absolute URL of this request with some query parameters replaced (null removes one). */
export function urlWith(request: FastifyRequest, changes: Record<string, string | number | null>): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export function toPage<T>(request: FastifyRequest, page: PageRequest, count: number, results: T[]): Page<T> {
  const lastPage = Math.max(1, Math.ceil(count / page.pageSize));
  if (page.page > lastPage) throw new NotFound('Invalid page.', 'invalid_page');
  return {
    count,
    next: page.page < lastPage ? urlWith(request, { page: page.page + 1 }) : null,
    previous: page.page > 1 ? urlWith(request, { page: page.page === 2 ? null : page.page - 1 }) : null,
    results,
  };
}
