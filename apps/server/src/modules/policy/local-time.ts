/**
 * The time of day in an org's time zone, as policies see it (`context.time`): hour 0-23, minute, ISO weekday
 * (1 = Monday ... 7 = Sunday) and the date. An unknown time zone falls back to UTC rather than failing every
 * decision; the org settings refuse unknown zones on write.
 */
export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
  readonly date: string;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export type LocalTimeOf = (at: Date, timeZone: string) => LocalTime;

/**
 * A time-zone clock with its own formatters (building an `Intl.DateTimeFormat` costs far more than using one):
 * each PDP holds one (pdp.ts), so the cache is state of an object built at start, not of the module.
 */
export function createLocalTime(): LocalTimeOf {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
    let f = formatters.get(timeZone);
    if (f !== undefined) return f;
    const opts = {
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    } as const;
    try {
      f = new Intl.DateTimeFormat('en-US', { ...opts, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: 'UTC' });
    }
    if (formatters.size > 1000) formatters.clear();
    formatters.set(timeZone, f);
    return f;
  };
  return (at, timeZone) => {
    const parts: Record<string, string> = {};
    for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
    return {
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
      date: `${parts.year}-${parts.month}-${parts.day}`,
    };
  };
}

export const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
