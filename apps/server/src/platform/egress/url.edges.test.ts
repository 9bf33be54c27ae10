import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import { egressPorts } from './ports.ts';
import { effectivePort, parseTargetUrl } from './url.ts';

const detailOf = (raw: string) => {
  const r = parseTargetUrl(raw);
  return r.ok ? 'ok' : r.detail;
};

describe('what parseTargetUrl tells the operator', () => {
  it('quotes an input that is not an absolute URL, clipped to 200 characters', () => {
    expect(detailOf('not a url')).toBe('"not a url" is not a valid absolute URL');
    const long = 'x'.repeat(300);
    expect(detailOf(long)).toBe(`"${'x'.repeat(200)}…" is not a valid absolute URL`);
    const exactly = 'y'.repeat(200);
    expect(detailOf(exactly)).toBe(`"${exactly}" is not a valid absolute URL`);
  });

  it('names the scheme it refuses and the two it takes', () => {
    expect(detailOf('ftp://example.com/')).toBe('scheme "ftp:" is not allowed; use http: or https:');
  });

  it('refuses a URL whose scheme is spelled with a tab or newline, which the URL parser drops silently', () => {
    for (const raw of ['ht\ttp://example.com/', 'http\n://example.com/']) {
      expect(parseTargetUrl(raw)).toEqual({
        ok: false,
        code: 'egress_invalid_url',
        detail: `"${raw}" does not spell its scheme and host plainly`,
      });
    }
  });

  it('says credentials are not allowed', () => {
    expect(detailOf('https://user:pw@example.com/')).toBe(
      'URLs with credentials (user:password@) are not allowed',
    );
  });

  it('names a non-canonical IPv4 host in lower case and the spelling to use instead', () => {
    expect(detailOf('http://0X7F.0.0.1/')).toBe(
      'host "0x7f.0.0.1" is a non-canonical spelling of 127.0.0.1; write it as 127.0.0.1',
    );
  });
});

describe('the port a URL connects to', () => {
  it('is the written port, else 443 for https and 80 for http', () => {
    expect(effectivePort(new URL('https://a.example/'))).toBe(443);
    expect(effectivePort(new URL('http://a.example/'))).toBe(80);
    expect(effectivePort(new URL('https://a.example:8443/'))).toBe(8443);
  });

  it('is judged against SPRINTCONNECT_EGRESS_PORTS when none is written', () => {
    const httpsOnly = egressPorts('443');
    expect(parseTargetUrl('https://example.com/', EMPTY_ALLOWLIST, httpsOnly).ok).toBe(true);
    expect(parseTargetUrl('http://example.com/', EMPTY_ALLOWLIST, httpsOnly)).toMatchObject({
      ok: false,
      code: 'egress_port_not_allowed',
    });
  });
});
