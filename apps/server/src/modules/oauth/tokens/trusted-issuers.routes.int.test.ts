import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { epoch, type KeyPair, newEcKey, signJwt } from '../../../../test/oauth-tokens.ts';

/**
 * Trusted identity providers through the API: added, listed and removed by an org owner; both URLs pass the
 * https rule and the egress policy (422 naming the field); another org neither sees nor removes them.
 */
const ISSUER = 'https://idp.routes.test/oauth2/default';
const AUDIENCE = 'api://sprintconnect-routes';
let t: TestApp;
let jwksServer: Server;
let jwksUrl: string;
let key: KeyPair;

beforeAll(async () => {
  key = await newEcKey();
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...key.publicJwk, kid: key.jkt, alg: 'ES256', use: 'sig' }] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
});
afterAll(async () => {
  await t.stop();
  await new Promise<void>((r) => jwksServer.close(() => r()));
});

const api = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  auth: { authorization: string },
  payload?: Record<string, unknown>,
) =>
  payload === undefined
    ? t.app.inject({ method, url, headers: auth })
    : t.app.inject({ method, url, headers: auth, payload });

const tokenFrom = (sub: string) => {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid: key.jkt },
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub,
      client_id: sub,
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
      scp: ['read'],
    },
    key.privateKey,
  );
};

describe('a trusted issuer added through the API', () => {
  let id: string;

  beforeAll(async () => {
    const res = await api('POST', '/v1/trusted-issuers', t.auth, {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: jwksUrl,
    });
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    expect(res.json()).toEqual({ id, issuer: ISSUER, audience: AUDIENCE, jwksUri: jwksUrl });
    await t.sc.rbac.users.grantAsSystem(
      { type: 'system', id: 'test', orgId: t.orgId },
      { type: 'client', id: 'gh' },
      ['viewer'],
    );
  });

  it('is listed for its org and its tokens are accepted', async () => {
    const list = await api('GET', '/v1/trusted-issuers', t.auth);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual({ id, issuer: ISSUER, audience: AUDIENCE, jwksUri: jwksUrl });
    const me = await api('GET', '/v1/me', { authorization: `Bearer ${tokenFrom('gh')}` });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'client', id: 'gh', org: { id: t.orgId } });
  });

  it('cannot be trusted a second time (409)', async () => {
    const res = await api('POST', '/v1/trusted-issuers', t.auth, {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: jwksUrl,
    });
    expect(res.statusCode).toBe(409);
  });

  it('is invisible to another org, which cannot remove it (404)', async () => {
    const other = await t.newOrg('globex');
    expect((await api('GET', '/v1/trusted-issuers', other.auth)).json().items).toEqual([]);
    const del = await api('DELETE', `/v1/trusted-issuers/${id}`, other.auth);
    expect(del.statusCode).toBe(404);
    expect(del.json().code).toBe('not_found');
    expect((await api('GET', '/v1/me', { authorization: `Bearer ${tokenFrom('gh')}` })).statusCode).toBe(200);
  });

  it('once removed, is no longer listed and its tokens are refused; removing again is 404', async () => {
    expect((await api('DELETE', `/v1/trusted-issuers/${id}`, t.auth)).statusCode).toBe(204);
    expect((await api('GET', '/v1/trusted-issuers', t.auth)).json().items).toEqual([]);
    const me = await api('GET', '/v1/me', { authorization: `Bearer ${tokenFrom('gh')}` });
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('token_issuer_untrusted');
    expect((await api('DELETE', `/v1/trusted-issuers/${id}`, t.auth)).statusCode).toBe(404);
  });
});

describe('validation of a trusted issuer', () => {
  const add = (body: Record<string, unknown>) =>
    api('POST', '/v1/trusted-issuers', t.auth, {
      issuer: 'https://idp.valid.test',
      audience: 'aud',
      jwksUri: jwksUrl,
      ...body,
    });

  it('refuses an issuer that is neither https nor loopback (422 naming /issuer)', async () => {
    const res = await add({ issuer: 'http://idp.example.com' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'url_not_allowed', errors: [{ pointer: '/issuer' }] });
  });

  it('refuses a JWKS URL at a cloud metadata address (422 naming /jwksUri)', async () => {
    const res = await add({ jwksUri: 'https://169.254.169.254/latest/keys' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'url_not_allowed', errors: [{ pointer: '/jwksUri' }] });
  });

  it('refuses an issuer at a private address egress does not allow, and a JWKS URL over plain http', async () => {
    const res = await add({ issuer: 'https://10.1.2.3/idp', jwksUri: 'http://keys.example.com/jwks' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/issuer', '/jwksUri']);
  });

  it('refuses a JWKS URL on a port outside SPRINTCONNECT_EGRESS_PORTS as registration does: port_not_allowed', async () => {
    const res = await add({ jwksUri: 'http://127.0.0.1:81/jwks' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'port_not_allowed', errors: [{ pointer: '/jwksUri' }] });
    expect(res.json().errors[0].detail).toContain('port 81 is not in SPRINTCONNECT_EGRESS_PORTS');
    const zero = await add({ jwksUri: 'http://127.0.0.1:0/jwks' });
    expect(zero.json()).toMatchObject({ code: 'port_not_allowed', errors: [{ pointer: '/jwksUri' }] });
    expect(zero.json().errors[0].detail).toContain('port 0 is not a port');
    // The service refuses the same way to a caller that is not the route (e.g. a system actor).
    await expect(
      t.sc.oauth.trustedIssuers.add(
        { type: 'system', id: 'test', orgId: t.orgId },
        { issuer: 'https://idp.valid.test', audience: 'aud', jwksUri: 'http://127.0.0.1:81/jwks' },
      ),
    ).rejects.toMatchObject({ code: 'port_not_allowed' });
  });

  it('refuses a malformed body (422) and nothing is stored', async () => {
    for (const body of [{ issuer: 'not a url' }, { audience: '' }, { extra: 'x' }]) {
      expect((await add(body)).statusCode).toBe(422);
    }
    expect((await api('GET', '/v1/trusted-issuers', t.auth)).json().items).toEqual([]);
  });

  it('needs sso:write (owner level): an api_keys:admin key is refused (403)', async () => {
    const auth = { authorization: `Bearer ${await t.keyWithScopes(['api_keys:admin', 'users:admin'])}` };
    expect((await api('GET', '/v1/trusted-issuers', auth)).statusCode).toBe(403);
    const res = await api('POST', '/v1/trusted-issuers', auth, {
      issuer: 'https://idp.other.test',
      audience: 'a',
      jwksUri: jwksUrl,
    });
    expect(res.statusCode).toBe(403);
  });
});
