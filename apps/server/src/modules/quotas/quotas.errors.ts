import { AppError } from '../../kernel/index.ts';
import { QUOTAS, type QuotaName } from './catalogue.ts';

/**
 * 409: the request conflicts with the org's current usage, and succeeds once that changes (a slot is freed,
 * the day turns, or an admin raises the limit). Not 403, which clients read as "you may not". ADR 0016.
 */
export function quotaExceeded(name: QuotaName, limit: number, used: number, resetsAt?: Date, now?: Date) {
  const spec = QUOTAS[name];
  const when = resetsAt === undefined ? '' : ` It resets at ${resetsAt.toISOString()}.`;
  return new AppError(
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
          headers: {
            'retry-after': String(Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000))),
          },
        }),
    },
  );
}

export const quotaNotFound = (name: string) =>
  new AppError(
    'quota_not_found',
    `There is no quota "${name}"; GET /v1/quotas lists them (${Object.keys(QUOTAS).join(', ')}).`,
  );

/**
 * 429: too many creates of one org are queued in this process for its quota counters (ADR 0025). The request
 * changed nothing and will succeed when retried after a moment.
 */
export const quotaBusy = (waitedMs: number) =>
  new AppError(
    'quota_busy',
    `Too many creates are queued in this organization right now (waited ${Math.round(waitedMs / 1000)} s for a turn; ` +
      'creates that count toward a quota run one at a time per organization). Nothing was changed: retry after ' +
      'the Retry-After delay.',
    { headers: { 'retry-after': '1' } },
  );
