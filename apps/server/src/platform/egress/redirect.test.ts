import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import { DEFAULT_PORTS } from './ports.ts';
import { checkRedirectTarget, nextHopRequest } from './redirect.ts';

const here = new URL('https://api.example.com/a/b?x=1');
const check = (location: string) => checkRedirectTarget(location, here, EMPTY_ALLOWLIST, DEFAULT_PORTS);

describe('checkRedirectTarget', () => {
  it.each([
    ['/c', 'https://api.example.com/c'],
    ['c', 'https://api.example.com/a/c'],
    ['?y=2', 'https://api.example.com/a/b?y=2'],
    ['//cdn.example.com/x', 'https://cdn.example.com/x'],
    ['http://other.example.com/', 'http://other.example.com/'],
  ])('follows the Location %s to %s', (location, href) => {
    const result = check(location);
    expect(result.ok ? result.url.href : result.code).toBe(href);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', 'egress_metadata_blocked'],
    ['http://127.0.0.1/', 'egress_address_blocked'],
    ['//10.0.0.1/', 'egress_address_blocked'],
    ['//0x7f.1/', 'egress_noncanonical_ip'],
    ['\\\\2130706433\\x', 'egress_noncanonical_ip'],
    ['https://u:p@api.example.com/', 'egress_userinfo_not_allowed'],
    ['file:///etc/passwd', 'egress_scheme_not_allowed'],
    ['http://[::1', 'egress_invalid_url'],
    ['https://api.example.com:6379/', 'egress_port_not_allowed'],
    ['//cdn.example.com:6000/x', 'egress_bad_port'],
  ])('refuses the Location %s with %s', (location, code) => {
    const result = check(location);
    expect(result.ok ? 'ok' : result.code).toBe(code);
  });
});

describe('nextHopRequest', () => {
  const post = () =>
    new Request('https://api.example.com/a', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t', cookie: 'c=1', 'x-k': 'v' },
    });

  it('turns a POST into a body-less GET on 303 and drops the body headers', async () => {
    const prev = post();
    const next = nextHopRequest(prev, prev.clone(), 303, new URL('https://api.example.com/b'));
    expect(next.method).toBe('GET');
    expect(next.body).toBeNull();
    expect(next.headers.get('content-type')).toBeNull();
    expect(next.headers.get('authorization')).toBe('Bearer t');
  });

  it('re-sends the method and body on 307', async () => {
    const prev = post();
    const next = nextHopRequest(prev, prev.clone(), 307, new URL('https://api.example.com/b'));
    expect(next.method).toBe('POST');
    expect(await next.text()).toBe('{"a":1}');
  });

  it('drops Authorization and Cookie on a cross-origin redirect but keeps other headers', () => {
    const prev = post();
    const next = nextHopRequest(prev, prev.clone(), 308, new URL('https://other.example.com/b'));
    expect(next.headers.get('authorization')).toBeNull();
    expect(next.headers.get('cookie')).toBeNull();
    expect(next.headers.get('x-k')).toBe('v');
  });
});
