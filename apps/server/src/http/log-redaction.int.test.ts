import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { freePort } from '../../test/oauth-browser.ts';

/**
 * Issue 8, point 4: credentials sent in a query string are refused, and must not reach the log either. Real
 * requests over a real socket to a real app whose log lines are kept as written (after every serializer and
 * hook), then the whole log text is searched for each secret.
 */
let t: TestApp;
let base: { host: string; port: number };
const logText: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  base = { host: '127.0.0.1', port };
  t = await startTestApp({
    env: { LOG_LEVEL: 'debug', SPRINTCONNECT_PUBLIC_URL: `http://127.0.0.1:${port}` },
    http: { logStream: { write: (line: string) => void logText.push(line) } },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(() => t.stop());

/** A raw request target, sent as is (no client-side normalisation of escapes). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...base, method: 'GET', path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const secret = () => `s3cret-${randomBytes(18).toString('base64url')}`;

describe('query strings in the log', () => {
  it('never logs the value of a credential-shaped query parameter (the bootstrap admin key in ?api_key= included), on any route and any outcome', async () => {
    const names = [
      'api_key',
      'token',
      'access_token',
      'refresh_token',
      'id_token_hint',
      'code',
      'state',
      'client_secret',
      'password',
    ];
    const paths: [string, Record<string, string>][] = [
      ['/v1/servers', {}], // 401 from the auth hook: the credential in the query is refused
      ['/v1/servers', t.auth], // 200
      ['/v1/servers/not-a-uuid', t.auth], // 422
      ['/v1/nope', t.auth], // 404
      ['/oidc/auth', {}], // the authorization server
      ['/oidc/session/end', {}],
      ['/auth/login', {}], // sign-in page: unknown parameters are a 422
      ['/auth/sso/callback', {}],
      ['/healthz', {}],
      ['/nope', {}],
      ['/v1/servers/%E0%A4%A', t.auth], // 400 from the router
      [`/v1/servers/${'a'.repeat(101)}`, t.auth], // 414 from the router
      ['/v1/servers/x%ZZ', t.auth], // 400 from the URL check
    ];
    const sent: { value: string; logged: string; status: number; route: string; anonymous: boolean }[] = [];
    for (const [path, headers] of paths) {
      for (const name of names) {
        const value = name === 'api_key' ? t.adminKey : secret();
        const r = await get(`${path}?limit=5&${name}=${encodeURIComponent(value)}`, headers);
        sent.push({
          value,
          logged: `"url":"${path}?limit=5&${name}=[redacted]"`,
          status: r.status,
          route: `${path} ${name}`,
          anonymous: headers.authorization === undefined,
        });
      }
    }
    // A credential in the query is never accepted as one: the anonymous /v1 request is refused.
    for (const s of sent.filter((x) => x.route.startsWith('/v1/servers ') && x.anonymous))
      expect(s.status, s.route).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    const log = logText.join('');
    for (const s of sent) {
      // Each request was logged, with its parameter named and its value hidden.
      expect(log, s.route).toContain(s.logged);
      expect(log, s.route).not.toContain(s.value);
    }
    // Not even the secret part of the admin key, whatever encoding it took.
    expect(log).not.toContain(t.adminKey.slice(-43));
  });
});

describe('parameters after `;` in a path in the log', () => {
  it('never logs the value of a credential put in a path segment after `;` (the admin key included)', async () => {
    const sent: { value: string; logged: string; target: string }[] = [];
    for (const [path, headers] of [
      ['/v1/me', {}],
      ['/v1/servers', t.auth],
      ['/oidc/auth', {}],
      ['/nope', {}],
    ] as const) {
      for (const name of ['api_key', 'token', 'access_token']) {
        const value = name === 'api_key' ? t.adminKey : secret();
        const target = `${path};${name}=${encodeURIComponent(value)}`;
        await get(target, headers);
        sent.push({ value, logged: `"url":"${path};${name}=[redacted]"`, target });
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    const log = logText.join('');
    for (const s of sent) {
      expect(log, s.target).toContain(s.logged);
      expect(log, s.target).not.toContain(s.value);
    }
    expect(log).not.toContain(t.adminKey.slice(-43));
  });
});
