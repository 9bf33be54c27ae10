import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';
import { QUOTAS, type QuotaName } from './catalogue.ts';

export const QUOTAS_ERRORS = defineErrors({
  quota_exceeded: { status: 409, title: 'Quota exceeded' },
  quota_not_found: { status: 404, title: 'Quota not found' },
  quota_busy: { status: 429, title: 'Too many creates queued' },
  budget_exhausted: { status: 429, title: 'Monthly budget exhausted' },
});

export type QuotasErrorCode = CodeOf<typeof QUOTAS_ERRORS>;

export class QuotasError extends AppError<QuotasErrorCode> {}

/**
 * 409: the request conflicts with the org's current usage, and succeeds once that changes (a slot is freed,
 * the day turns, or an admin raises the limit). Not 403, which clients read as "you may not". ADR 0016.
 */
export function quotaExceeded(name: QuotaName, limit: number, used: number, resetsAt?: Date, now?: Date) {
  const spec = QUOTAS[name];
  const when = resetsAt === undefined ? '' : ` It resets at ${resetsAt.toISOString()}.`;
  return new QuotasError(
    'quota_exceeded',
    `The organization has reached its quota "${name}": ${used} of ${limit} used (${spec.description})${when} ` +
      `${spec.relief}, or ask an owner or admin to raise the limit with PUT /v1/quotas/${name}.`,
    {
      extensions: {
        quota: { name, limit, used, ...(resetsAt !== undefined && { resetsAt: resetsAt.toISOString() }) },
      },
      links: { quota: `/v1/quotas/${name}` },
      ...(resetsAt !== undefined &&
        now !== undefined && {
          retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
        }),
    },
  );
}

export const quotaNotFound = (name: string) =>
  new QuotasError(
    'quota_not_found',
    `There is no quota "${name}"; GET /v1/quotas lists them (${Object.keys(QUOTAS).join(', ')}).`,
  );

/**
 * 429: too many creates of one org are queued in this process for its quota counters (ADR 0025). The request
 * changed nothing and will succeed when retried after a moment.
 */
export const quotaBusy = (waitedMs: number) =>
  new QuotasError(
    'quota_busy',
    `Too many creates are queued in this organization right now (waited ${Math.round(waitedMs / 1000)} s for a turn; ` +
      'creates that count toward a quota run one at a time per organization). Nothing was changed: retry after ' +
      'the Retry-After delay.',
    { retryAfterSeconds: 1 },
  );
