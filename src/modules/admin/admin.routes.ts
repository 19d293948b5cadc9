// Admin API, part 1: the dashboard's stats and the background-job screens (staff only).

import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { getJob, listJobPage, retryJobNow } from './admin.jobs.service.js';
import { presentJob } from './admin.present.js';
import { JobJson, JobListQuery, StatsJson } from './admin.schemas.js';
import { getStats } from './admin.stats.service.js';

const staffOnly = { tags: ['admin'], security: [{ bearerAuth: [] }] };

export function adminRoutes(app: App, ctx: AppContext) {
  app.get(
    '/admin/stats/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Dashboard numbers (computed in SQL, cached 30 s)',
        response: { 200: StatsJson, ...problemResponses },
      },
    },
    async () => getStats(ctx),
  );

  app.get(
    '/admin/jobs/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Background jobs, newest first; status=failed means pending after a failure',
        querystring: JobListQuery,
        response: { 200: Paginated(JobJson), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { status, type } = request.query;
      const { count, rows } = await listJobPage(ctx, { status, type }, page);
      return toPage(request, page, count, rows.map(presentJob));
    },
  );

  app.get(
    '/admin/jobs/:id/',
    { preHandler: requireStaff, schema: { ...staffOnly, params: IdParams, response: { 200: JobJson, ...problemResponses } } },
    async (request) => presentJob(await getJob(ctx, request.params.id)),
  );

  app.post(
    '/admin/jobs/:id/retry/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Runs a dead or failed job again now, with its attempts reset (409 otherwise)',
        params: IdParams,
        response: { 200: JobJson, ...problemResponses },
      },
    },
    async (request) => presentJob(await retryJobNow(ctx, request.params.id)),
  );
}
