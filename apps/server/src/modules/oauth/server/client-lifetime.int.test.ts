import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../../test/harness.ts';
import { freePort } from '../../../../test/oauth-browser.ts';

/**
 * Attack of issue 8's fixes, D4: a 1-day key with servers:write + api_keys:admin created an OAuth client; that
 * client's token minted a key that never expires; after the 1-day key was revoked the client still got tokens
 * and the never-expiring key still worked. A credential may not outlive the authority it was minted with: a
 * client made by an expiring credential expires with it, keys made by a client's token expire no later than
 * the client, and revoking or removing a credential withdraws what it made (ADR 0022, amended). End to end:
 * over HTTP, client_credentials at /oidc/token over a real socket.
 */
let t: TestApp;
let base: string;
const ROLE = 'server-keys';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await startTestApp({ env: { SPRINTCONNECT_PUBLIC_URL: base } });
  await t.app.listen({ port, host: '127.0.0.1' });
  const role = await api('POST', '/v1/roles', t.adminKey, {
    name: ROLE,
    permissions: [
      'servers:list',
      'servers:read',
      'servers:create',
      'servers:update',
      'servers:delete',
      'servers:discover',
      'servers:production',
      'search:query',
      'api_keys:read',
      'api_keys:write',
      'api_keys:admin',
    ],
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
});
afterAll(() => t.stop());

async function api(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function tokenFor(clientId: string, secret: string) {
  const res = await fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'servers:write api_keys:admin',
      resource: `${base}/v1`,
    }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };

/** Client expiries are kept in whole seconds (RFC 7591 `client_secret_expires_at`), rounded down. */
const toSecond = (iso: string | null) =>
  iso === null ? null : new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

async function keyWith(scopes: string[], extra: Record<string, unknown> = {}, by = t.adminKey) {
  const r = await api('POST', '/v1/api-keys', by, { name: `key ${scopes.join(' ')}`, scopes, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; token: string; expiresAt: string | null };
}

async function clientBy(token: string, extra: Record<string, unknown> = {}) {
  const r = await api('POST', '/v1/oauth-clients', token, {
    name: 'made by a credential',
    scopes: ['servers:write', 'api_keys:admin'],
    roles: [ROLE],
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { clientId: string; clientSecret: string; expiresAt: string | null };
}

describe('an OAuth client created by an expiring key', () => {
  it('expires with the key, whatever it asks for; an earlier expiry is kept', async () => {
    const short = await keyWith(['servers:write', 'api_keys:admin'], { expiresInDays: 1 });
    const bound = toSecond(short.expiresAt);
    expect(bound).not.toBeNull();
    expect((await clientBy(short.token)).expiresAt).toBe(bound);
    expect((await clientBy(short.token, { expiresAt: null })).expiresAt).toBe(bound);
    expect((await clientBy(short.token, { expiresInDays: 30 })).expiresAt).toBe(bound);
    const soon = toSecond(new Date(Date.now() + 3_600_000).toISOString());
    const earlier = await clientBy(short.token, { expiresAt: soon });
    expect(earlier.expiresAt).toBe(soon);
    const listed = (await api('GET', '/v1/oauth-clients', t.adminKey)).body.items as {
      clientId: string;
      expiresAt: string | null;
      createdBy: string | null;
    }[];
    expect(listed.find((c) => c.clientId === earlier.clientId)).toMatchObject({
      expiresAt: soon,
      createdBy: `api_key:${short.id}`,
    });
  });

  it('gets no access token that outlives it, and its token mints only keys that expire with it', async () => {
    const short = await keyWith(['servers:write', 'api_keys:admin'], { expiresInDays: 1 });
    const inAMinute = new Date(Math.ceil((Date.now() + 60_000) / 1000) * 1000).toISOString();
    const ci = await clientBy(short.token, { expiresAt: inAMinute });
    const tokens = await tokenFor(ci.clientId, ci.clientSecret);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(claimsOf(tokens.body.access_token!).exp).toBeLessThanOrEqual(Date.parse(inAMinute) / 1000);
    const minted = await keyWith(['servers:write'], { expiresAt: null }, tokens.body.access_token);
    expect(minted.expiresAt).toBe(inAMinute);
    // A client made by that client's token is bound the same way.
    expect((await clientBy(tokens.body.access_token!)).expiresAt).toBe(inAMinute);
  });

  it('once expired, is refused at /oidc/token (invalid_client)', async () => {
    const expired = await t.sc.oauth.server!.registerClient(
      { type: 'system', id: 'test', orgId: t.orgId },
      { name: 'expired', scopes: ['servers:write'], expiresAt: new Date(Date.now() - 60_000) },
    );
    const r = await tokenFor(expired.clientId, expired.clientSecret);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.error).toBe('invalid_client');
  });
});

describe('revoking the key that created a client (the attack as reported)', () => {
  it('removes the client and withdraws what it and the key made: no token, no never-expiring key', async () => {
    const short = await keyWith(['servers:write', 'api_keys:admin'], { expiresInDays: 1 });
    const ci = await clientBy(short.token);
    const tokens = await tokenFor(ci.clientId, ci.clientSecret);
    expect(tokens.status).toBe(200);
    const at = tokens.body.access_token!;
    const forever = await keyWith(['servers:write'], { expiresAt: null }, at);
    const child = await keyWith(['servers:write'], {}, short.token);
    expect((await api('GET', '/v1/servers', forever.token)).status).toBe(200);

    expect((await api('DELETE', `/v1/api-keys/${short.id}`, t.adminKey)).status).toBe(204);

    expect((await tokenFor(ci.clientId, ci.clientSecret)).body.error).toBe('invalid_client');
    await eventually(
      async () => {
        const codes = await Promise.all(
          [forever.token, child.token, at].map(async (k) => (await api('GET', '/v1/servers', k)).body.code),
        );
        return codes.every((c) => ['api_key_invalid', 'token_revoked'].includes(c)) ? codes : undefined;
      },
      5_000,
      'everything the revoked key made to be refused',
    );
    const clients = (await api('GET', '/v1/oauth-clients', t.adminKey)).body.items as { clientId: string }[];
    expect(clients.map((c) => c.clientId)).not.toContain(ci.clientId);
  });
});

describe('removing an OAuth client', () => {
  it('also removes the clients its tokens created, and their keys', async () => {
    const parent = await clientBy(t.adminKey);
    const parentToken = (await tokenFor(parent.clientId, parent.clientSecret)).body.access_token!;
    const child = await clientBy(parentToken);
    const childToken = (await tokenFor(child.clientId, child.clientSecret)).body.access_token!;
    const grandchildKey = await keyWith(['servers:write'], {}, childToken);

    expect((await api('DELETE', `/v1/oauth-clients/${parent.clientId}`, t.adminKey)).status).toBe(204);

    expect((await tokenFor(child.clientId, child.clientSecret)).body.error).toBe('invalid_client');
    const key = await api('GET', '/v1/servers', grandchildKey.token);
    expect(key.status).toBe(401);
    expect(key.body.code).toBe('api_key_invalid');
  });
});
