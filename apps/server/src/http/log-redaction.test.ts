import { describe, expect, it } from 'vitest';
import { redactUrl, scrubLogLine } from './log-redaction.ts';

const KEY = `sck_abcdefghijkl_${'A'.repeat(43)}`;
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('query strings in logs', () => {
  it('hides the value of every credential-shaped parameter and keeps its name', () => {
    for (const name of ['api_key', 'token', 'access_token', 'code', 'state', 'client_secret', 'password']) {
      expect(redactUrl(`/v1/servers?${name}=s3cret-value&limit=5`)).toBe(
        `/v1/servers?${name}=[redacted]&limit=5`,
      );
    }
  });

  it('hides parameters nobody listed (allowlist, not blocklist), encoded names and bare values too', () => {
    expect(redactUrl('/oidc/session/end?id_token_hint=abc&logout_hint=me')).toBe(
      '/oidc/session/end?id_token_hint=[redacted]&logout_hint=[redacted]',
    );
    expect(redactUrl('/x?api%5Fkey=abc&%6Cimit=3')).toBe('/x?api%5Fkey=[redacted]&%6Cimit=3');
    expect(redactUrl('/x?s3cret-bare-value')).toBe('/x?[redacted]');
  });

  it('keeps list filters, unless the value itself looks like a credential', () => {
    expect(redactUrl('/v1/servers?environment=production&limit=20&tags=a,b')).toBe(
      '/v1/servers?environment=production&limit=20&tags=a,b',
    );
    expect(redactUrl(`/v1/servers?cursor=${KEY}`)).toBe('/v1/servers?cursor=[redacted]');
    expect(redactUrl('/v1/servers?status=Bearer%20abc')).toBe('/v1/servers?status=[redacted]');
  });

  it('hides the values of parameters after `;` in a path (matrix parameters) as it does those of a query', () => {
    expect(redactUrl('/v1/me;api_key=s3cret-value')).toBe('/v1/me;api_key=[redacted]');
    expect(redactUrl('/v1/servers;token=a;limit=3/x;s3cret?code=b')).toBe(
      '/v1/servers;token=[redacted];limit=3/x;[redacted]?code=[redacted]',
    );
  });

  it('leaves a path without a query alone', () => {
    expect(redactUrl('/v1/servers/0190a6f0-0000-7000-8000-000000000000')).toBe(
      '/v1/servers/0190a6f0-0000-7000-8000-000000000000',
    );
  });
});

describe('the last-line scrub of a serialized log line', () => {
  it('redacts queries quoted anywhere, including nested ones and after JSON escapes', () => {
    const line = JSON.stringify({
      msg: 'failed GET /oidc/auth?client_id=cli&code=abc123 upstream',
      err: { message: 'see /auth/login?returnTo=/oidc/auth?state=xyz' },
      weird: '/x?api_key=ab"cd&limit=1',
    });
    const out = scrubLogLine(line);
    expect(out).not.toMatch(/abc123|xyz|ab\\"cd/);
    expect(JSON.parse(out).msg).toBe('failed GET /oidc/auth?client_id=cli&code=[redacted] upstream');
    expect(JSON.parse(out).weird).toBe('/x?api_key=[redacted]&limit=1');
  });

  it('redacts `;` parameters of a path quoted anywhere, and keeps a media type parameter', () => {
    const out = scrubLogLine(
      JSON.stringify({ msg: 'no route GET /v1/me;api_key=s3cret;x=y here', ct: 'text/plain;charset=utf-8' }),
    );
    expect(JSON.parse(out)).toEqual({
      msg: 'no route GET /v1/me;api_key=[redacted];x=[redacted] here',
      ct: 'text/plain;charset=utf-8',
    });
  });

  it('redacts API keys and JWTs wherever they appear, keeping the public key prefix', () => {
    const out = scrubLogLine(JSON.stringify({ msg: `key ${KEY} and token ${JWT}.` }));
    expect(JSON.parse(out).msg).toBe('key sck_abcdefghijkl_[redacted] and token [redacted].');
  });

  it('changes nothing in a line without a query or a credential, and is idempotent', () => {
    const line = JSON.stringify({ level: 30, msg: 'request completed', res: { statusCode: 200 } });
    expect(scrubLogLine(line)).toBe(line);
    const once = scrubLogLine(JSON.stringify({ url: '/v1/x?token=abc&limit=2' }));
    expect(scrubLogLine(once)).toBe(once);
  });
});
