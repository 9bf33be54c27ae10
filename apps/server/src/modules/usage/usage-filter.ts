import { AppError, type FieldError } from '../../kernel/index.ts';
import type { Outcome } from './usage-record.ts';

/** Which records a list or a summary covers: every field optional, all of them ANDed. */
export interface UsageFilter {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly server?: string | undefined;
  readonly tool?: string | undefined;
  readonly principal?: string | undefined;
  readonly outcome?: Outcome | undefined;
  readonly endpoint?: string | undefined;
}

export const GROUP_BY = ['server', 'tool', 'principal', 'endpoint', 'day'] as const;
export type UsageGroupBy = (typeof GROUP_BY)[number];

export interface UsageQuery {
  from?: string | undefined;
  to?: string | undefined;
  server?: string | undefined;
  tool?: string | undefined;
  principal?: string | undefined;
  outcome?: Outcome | undefined;
  endpoint?: string | undefined;
}

/**
 * The query's time window as dates. The schema has checked the RFC 3339 form already; this catches what a
 * pattern cannot: a date that does not exist (`2026-02-30`), a year Postgres cannot hold, and `from` after `to`.
 * `from` is inclusive and `to` exclusive, so consecutive windows never count a record twice.
 */
export function readUsageFilter(q: UsageQuery): UsageFilter {
  const errors: FieldError[] = [];
  const date = (name: 'from' | 'to'): Date | undefined => {
    const raw = q[name];
    if (raw === undefined) return undefined;
    const d = new Date(raw);
    const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
    const real =
      day !== null &&
      Number.isFinite(d.getTime()) &&
      new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))).getUTCDate() === Number(day[3]);
    if (!real || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) {
      errors.push({
        location: 'query',
        pointer: `/${name}`,
        detail: 'must be an RFC 3339 date-time that exists',
      });
      return undefined;
    }
    return d;
  };
  const from = date('from');
  const to = date('to');
  if (from !== undefined && to !== undefined && from.getTime() > to.getTime()) {
    errors.push({ location: 'query', pointer: '/from', detail: 'must not be after `to`' });
  }
  if (errors.length > 0) {
    throw new AppError('validation_failed', 'The usage query is not valid.', { errors });
  }
  return {
    from,
    to,
    server: q.server,
    tool: q.tool,
    principal: q.principal,
    outcome: q.outcome,
    endpoint: q.endpoint,
  };
}
