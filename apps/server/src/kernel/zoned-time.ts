/**
 * Wall-clock time in an IANA time zone: what policies see as `context.time` and what per-day quotas count by.
 * One home for both (issue 9 point 4), so a policy's "working hours" and a quota's "today" agree on an org's day.
 * An unknown time zone falls back to UTC rather than failing every decision or every count.
 */
export interface ZonedTime {
  /** `2026-11-25`. */
  readonly date: string;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  readonly weekday: number;
}

export type ZonedTimeOf = (at: Date, timeZone: string) => ZonedTime;

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const OPTIONS = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
} as const;

/** Formatters kept beyond this many zones are dropped (zones come from org rows, a bounded but open set). */
const MAX_ZONES = 1000;

/**
 * A zoned clock with its own formatter cache (building an `Intl.DateTimeFormat` costs far more than using one):
 * the PDP and the quota service each build one at start, so the cache is state of an object, not of the module.
 */
export function createZonedTime(): ZonedTimeOf {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
    let f = formatters.get(timeZone);
    if (f !== undefined) return f;
    try {
      f = new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone: 'UTC' });
    }
    if (formatters.size >= MAX_ZONES) formatters.clear();
    formatters.set(timeZone, f);
    return f;
  };
  // The answer has a resolution of one second, and every decision of a busy org falls in the same few seconds:
  // the last answer per zone is kept with its second (formatToParts is most of a decision's own cost).
  const last = new Map<string, { second: number; time: ZonedTime }>();
  return (at, timeZone) => {
    const second = Math.floor(at.getTime() / 1000);
    const hit = last.get(timeZone);
    if (hit !== undefined && hit.second === second) return hit.time;
    const parts: Record<string, string> = {};
    for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
    const time: ZonedTime = {
      date: `${parts.year}-${parts.month}-${parts.day}`,
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    };
    if (last.size >= MAX_ZONES) last.clear();
    last.set(timeZone, { second, time });
    return time;
  };
}
