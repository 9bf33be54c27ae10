import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, JobSchema, problemResponses } from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { findJob, toJobView } from '../../platform/jobs/index.ts';

/** Background jobs as users see them: state, progress, attempts, error and a completion estimate. */
export function jobRoutes(db: Db): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/jobs/:id',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Get a background job',
          params: IdParams,
          response: { 200: JobSchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req) => {
        const orgId = req.principal.orgId;
        req.authz.assert('jobs:read', { type: 'job', orgId, id: req.params.id });
        const row = await withTenant(db, orgId, (tx) => findJob(tx, orgId, req.params.id));
        if (row === undefined)
          throw new AppError('job_not_found', `No job ${req.params.id} in this organization.`);
        return toJobView(row);
      },
    );
  };
}
