import { describe, expect, it } from 'vitest';
import { createZonedTime } from './zoned-time.ts';

describe('zoned time', () => {
  const zoned = createZonedTime();

  it('reads the wall clock of the given zone: date, 24-hour time and ISO weekday', () => {
    // 2026-11-25 is a Wednesday; 23:30:15 UTC is 00:30:15 on Thursday the 26th in Berlin (UTC+1 in November).
    const at = new Date('2026-11-25T23:30:15Z');
    expect(zoned(at, 'UTC')).toEqual({ date: '2026-11-25', hour: 23, minute: 30, second: 15, weekday: 3 });
    expect(zoned(at, 'Europe/Berlin')).toEqual({
      date: '2026-11-26',
      hour: 0,
      minute: 30,
      second: 15,
      weekday: 4,
    });
  });

  it('counts midnight as hour 0 and Sunday as weekday 7', () => {
    expect(zoned(new Date('2026-11-29T00:00:00Z'), 'UTC')).toMatchObject({ hour: 0, weekday: 7 });
  });

  it('an unknown zone reads as UTC rather than failing', () => {
    const at = new Date('2026-11-25T23:30:15Z');
    expect(zoned(at, 'Mars/Olympus')).toEqual(zoned(at, 'UTC'));
  });

  it('answers again from the remembered second only within that second and zone: the next second, an earlier one and another zone are read anew', () => {
    const z = createZonedTime();
    expect(z(new Date('2026-11-25T23:59:59.100Z'), 'UTC')).toMatchObject({ date: '2026-11-25', second: 59 });
    expect(z(new Date('2026-11-25T23:59:59.900Z'), 'UTC')).toMatchObject({ date: '2026-11-25', second: 59 });
    expect(z(new Date('2026-11-26T00:00:00.000Z'), 'UTC')).toEqual({
      date: '2026-11-26',
      hour: 0,
      minute: 0,
      second: 0,
      weekday: 4,
    });
    expect(z(new Date('2026-11-25T23:59:58.999Z'), 'UTC')).toMatchObject({ date: '2026-11-25', second: 58 });
    expect(z(new Date('2026-11-25T23:59:58.500Z'), 'Asia/Tokyo')).toMatchObject({
      date: '2026-11-26',
      hour: 8,
    });
  });
});
