import type { ZonedTimeOf } from '../../kernel/index.ts';

/**
 * Calendar periods for per-period quotas and budgets, from the injected clock (so tests can move time).
 * Days are the org's local day (IANA time zone; an unknown zone falls back to UTC); budget months are UTC
 * months, the usual billing month.
 */
export interface Period {
  /** `2026-11-25` for a day, `2026-11` for a month. */
  readonly key: string;
  /** When the next period starts. */
  readonly resetsAt: Date;
}

/** The org's current day. `resetsAt` is the next local midnight (a DST change shifts it by up to an hour). */
export function dayPeriod(now: Date, timeZone: string, zonedTime: ZonedTimeOf): Period {
  const { date, hour, minute, second } = zonedTime(now, timeZone);
  const secondsIntoDay = hour * 3600 + minute * 60 + second;
  const msLeft = (86_400 - secondsIntoDay) * 1000 - now.getUTCMilliseconds();
  return { key: date, resetsAt: new Date(now.getTime() + msLeft) };
}

/** The current UTC month. */
export function monthPeriod(now: Date): Period {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return {
    key: `${y}-${String(m + 1).padStart(2, '0')}`,
    resetsAt: new Date(Date.UTC(y, m + 1, 1)),
  };
}

/** Whole seconds until `at`, at least 1 (for Retry-After). */
export const secondsUntil = (at: Date, now: Date): number =>
  Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
