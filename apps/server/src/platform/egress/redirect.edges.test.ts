import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST, parseEgressAllow } from './allowlist.ts';
import { DEFAULT_PORTS } from './ports.ts';
import { checkRedirectTarget, nextHopRequest, REDIRECT_STATUSES } from './redirect.ts';

const here = new URL('https://api.example.com/a/b?x=1');
const check = (location: string, current = here, allow = EMPTY_ALLOWLIST) =>
  checkRedirectTarget(location, current, allow, DEFAULT_PORTS);

describe('redirect targets at their edges', () => {
  it('follows exactly the Fetch redirect statuses', () => {
    expect([...REDIRECT_STATUSES].sort()).toEqual([301, 302, 303, 307, 308]);
  });

  it('quotes a Location that is not a URL, clipped to 200 characters', () => {
    expect(check('http://[::1')).toEqual({
      ok: false,
      code: 'egress_invalid_url',
      detail: 'Location "http://[::1" is not a valid URL',
    });
    const long = `http://[${'1'.repeat(300)}`;
    const r = check(long);
    expect(r.ok ? '' : r.detail).toBe(`Location "${long.slice(0, 200)}" is not a valid URL`);
  });

  it('follows a Location with spaces around it', () => {
    for (const [location, href] of [
      [' http://other.example.com/ ', 'http://other.example.com/'],
      [' //cdn.example.com/x ', 'https://cdn.example.com/x'],
    ] as const) {
      const r = check(location);
      expect(r.ok ? r.url.href : r.code, location).toBe(href);
    }
  });

  it('reads a Location that changes the scheme as written, so a non-canonical address in it is caught', () => {
    const allow = parseEgressAllow('127.0.0.1/32');
    if (!allow.ok) throw new Error('bad allowlist');
    const r = check('http://0x7f.1/', new URL('https://127.0.0.1/'), allow.allow);
    expect(r.ok ? 'ok' : r.code).toBe('egress_noncanonical_ip');
  });

  it('refuses a Location that reads as one URL resolved and another written, such as a tab in its scheme', () => {
    const location = 'ht\ttp://cdn.example.com/x';
    expect(check(location)).toEqual({
      ok: false,
      code: 'egress_invalid_url',
      detail: `Location "${location}" is ambiguous`,
    });
    const long = `${location}${'y'.repeat(300)}`;
    const r = check(long);
    expect(r.ok ? '' : r.detail).toBe(`Location "${long.slice(0, 200)}" is ambiguous`);
  });
});

describe('the next hop request (Fetch §4.4)', () => {
  const url = new URL('https://api.example.com/b');
  const request = (method: string) =>
    new Request('https://api.example.com/a', {
      method,
      ...(method === 'GET' || method === 'HEAD'
        ? {}
        : { body: 'x', headers: { 'content-type': 'text/plain' } }),
    });

  it.each([
    [301, 'POST', 'GET'],
    [302, 'POST', 'GET'],
    [301, 'PUT', 'PUT'],
    [302, 'DELETE', 'DELETE'],
    [303, 'PUT', 'GET'],
    [303, 'HEAD', 'HEAD'],
    [303, 'GET', 'GET'],
    [307, 'POST', 'POST'],
  ])('after %i, a %s becomes a %s', (status, method, next) => {
    const prev = request(method);
    expect(nextHopRequest(prev, prev.clone(), status, url).method).toBe(next);
  });

  it('keeps the body headers of a request that stays what it was', () => {
    const prev = request('PUT');
    expect(nextHopRequest(prev, prev.clone(), 301, url).headers.get('content-type')).toBe('text/plain');
    for (const method of ['GET', 'HEAD']) {
      const bodiless = new Request('https://api.example.com/a', {
        method,
        headers: { 'content-type': 'text/plain' },
      });
      expect(nextHopRequest(bodiless, undefined, 303, url).headers.get('content-type'), method).toBe(
        'text/plain',
      );
    }
  });

  it('builds the next hop of a request without a replayable body', () => {
    const next = nextHopRequest(request('GET'), undefined, 302, url);
    expect(next.url).toBe(url.href);
    expect(next.body).toBeNull();
  });
});
