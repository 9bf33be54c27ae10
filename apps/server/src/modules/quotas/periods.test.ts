import { describe, expect, it } from 'vitest';
import { createZonedTime } from '../../kernel/index.ts';
import { dayPeriod, monthPeriod, secondsUntil } from './periods.ts';

const zoned = createZonedTime();

describe('quota periods', () => {
  it("a day is the org's local day and resets at its local midnight", () => {
    const now = new Date('2026-11-25T23:30:00Z');
    expect(dayPeriod(now, 'UTC', zoned)).toEqual({
      key: '2026-11-25',
      resetsAt: new Date('2026-11-26T00:00:00Z'),
    });
    // Berlin is UTC+1 in November: 00:30 local on the 26th; resets at the next local midnight.
    expect(dayPeriod(now, 'Europe/Berlin', zoned)).toEqual({
      key: '2026-11-26',
      resetsAt: new Date('2026-11-26T23:00:00Z'),
    });
    expect(dayPeriod(now, 'America/New_York', zoned).key).toBe('2026-11-25');
  });

  it('an unknown time zone counts in UTC rather than failing', () => {
    expect(dayPeriod(new Date('2026-11-25T23:30:00Z'), 'Mars/Olympus', zoned).key).toBe('2026-11-25');
  });

  it('a budget month is the UTC calendar month and resets on the first of the next (December to January too)', () => {
    expect(monthPeriod(new Date('2026-11-30T23:59:59.999Z'))).toEqual({
      key: '2026-11',
      resetsAt: new Date('2026-12-01T00:00:00Z'),
    });
    expect(monthPeriod(new Date('2026-12-01T00:00:00Z')).key).toBe('2026-12');
    expect(monthPeriod(new Date('2026-12-15T00:00:00Z')).resetsAt).toEqual(new Date('2027-01-01T00:00:00Z'));
  });

  it('Retry-After is whole seconds and at least 1', () => {
    const now = new Date('2026-11-25T00:00:00Z');
    expect(secondsUntil(new Date('2026-11-25T00:00:01.200Z'), now)).toBe(2);
    expect(secondsUntil(now, now)).toBe(1);
  });
});
