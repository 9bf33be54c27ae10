import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problemResponses } from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import { constantTimeEqual, sha256Hex } from '../../platform/crypto/index.ts';

export interface CronJob {
  readonly name: string;
  run(): Promise<Record<string, unknown>>;
}

const CronParams = Type.Object({ job: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });
const CronResult = Type.Object({
  job: Type.String(),
  result: Type.Record(Type.String(), Type.Unknown()),
  durationMs: Type.Number(),
});

/**
 * `POST /api/cron/{job}`: runs a scheduled job now, for platforms that drive cron over HTTP (and for operators).
 * Authorized only by `Authorization: Bearer $CRON_SECRET`, compared in constant time; without CRON_SECRET the
 * endpoint refuses everything. The secret is checked before the job name, so names are not revealed.
 */
export function cronRoutes(deps: {
  secret: string | undefined;
  jobs: readonly CronJob[];
}): FastifyPluginAsyncTypebox {
  const expected = deps.secret === undefined ? undefined : Buffer.from(sha256Hex(deps.secret), 'hex');
  const challenge = { 'www-authenticate': 'Bearer realm="sprintconnect-cron"' };
  return async (app) => {
    app.post(
      '/api/cron/:job',
      {
        schema: {
          tags: ['cron'],
          summary: 'Run a scheduled job now',
          description: 'Authorized by `Authorization: Bearer $CRON_SECRET`. Jobs are idempotent.',
          params: CronParams,
          response: { 200: CronResult, ...problemResponses(401, 404, 422) },
        },
      },
      async (req) => {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        const given = Buffer.from(sha256Hex(m?.[1] ?? ''), 'hex');
        if (expected === undefined || m === null || !constantTimeEqual(given, expected)) {
          throw new AppError(
            'unauthenticated',
            expected === undefined
              ? 'Scheduled jobs cannot be run over HTTP: CRON_SECRET is not set.'
              : 'Send `Authorization: Bearer <CRON_SECRET>`.',
            { headers: challenge },
          );
        }
        const job = deps.jobs.find((j) => j.name === req.params.job);
        if (job === undefined) {
          throw new AppError(
            'cron_job_not_found',
            `No scheduled job "${req.params.job}"; known: ${deps.jobs.map((j) => j.name).join(', ') || 'none'}.`,
          );
        }
        const t0 = performance.now();
        const result = await job.run();
        return { job: job.name, result, durationMs: Math.round(performance.now() - t0) };
      },
    );
  };
}
