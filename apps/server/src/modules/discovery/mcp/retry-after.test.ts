import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds as a number of seconds', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP-date as the seconds until then, rounded up, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', NOW)).toBe(10);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', NOW + 500)).toBe(10);
  });

  it('ignores an absent or malformed value', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('2026-03-01', NOW)).toBeUndefined();
  });
});
