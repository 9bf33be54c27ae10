import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOG, systemClock } from '../kernel/index.ts';
import type { Authenticator } from '../modules/identity/index.ts';
import { type App, buildApp } from './app.ts';

/**
 * The auth hook's generic 401 path (attack of issue 8's fixes, M4): an authenticator's 401 AppError without its
 * own challenge gets one built by the hook, from the code's catalogue title only. Its detail may quote what the
 * caller sent, and a header may not carry it (issue 8 point 2, ADR 0022): a character above U+00FF would make
 * Node refuse the header (a 500), and anything else would echo caller text into a header. Over a real socket,
 * where Node validates what is written.
 */
const MARK = 'ECHOED';
const detail = `The credential ${MARK}\u0100\u007f"x\r\nSet-Cookie: a=b is not valid.`;
const throwing: Authenticator = async (req) => {
  if (req.authorization === undefined) return undefined;
  throw new AppError('api_key_invalid', detail);
};

let app: App;
let base: string;

beforeAll(async () => {
  app = await buildApp({
    publicUrl: 'http://127.0.0.1:0',
    logLevel: 'silent',
    clock: systemClock,
    modules: [
      {
        authenticators: [{ from: 'header', authenticate: throwing }],
        routes: [
          async (a) => {
            a.get('/v1/guarded', async () => ({ ok: true }));
          },
        ],
        // Never reached: every credential is refused before an authorizer is built.
        hooks: { authorizer: async () => Promise.reject(new Error('no authorizer in this test')) },
      },
    ],
    ready: async () => ({ ok: true, checks: {} }),
    version: 'test',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

describe('a 401 AppError without a challenge of its own', () => {
  it('gets the invalid_token challenge with the catalogue title, never the detail', async () => {
    const res = await fetch(`${base}/v1/guarded`, { headers: { authorization: 'Bearer anything' } });
    const body = await res.text();
    expect(res.status, body).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ code: 'api_key_invalid', detail });
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="sprintconnect", error="invalid_token", error_description="${ERROR_CATALOG.api_key_invalid.title}"`,
    );
    for (const [name, value] of res.headers) expect(value, name).not.toContain(MARK);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
