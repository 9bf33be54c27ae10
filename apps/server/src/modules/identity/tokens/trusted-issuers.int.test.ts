import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { epoch, type KeyPair, newEcKey, signJwt } from '../../../../test/oauth-tokens.ts';
import { createAccessTokenAuthenticator } from './access-token-authenticator.ts';
import { createTrustedIssuers } from './trusted-issuers.ts';

/**
 * An org may trust access tokens from its own IdP (issuer + audience + JWKS URL). The JWKS is fetched through
 * egress, cached, refetched when an unknown kid appears (at most once per cooldown); an unknown kid that is
 * still unknown after that is refused.
 */
const ISSUER = 'https://idp.acme.test/oauth2/default';
const AUDIENCE = 'api://sprintconnect';
let t: TestApp;
let jwksServer: Server;
let jwksUrl: string;
let published: KeyPair[] = [];
let fetches = 0;
let acme: { orgId: string };
let k1: KeyPair;

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        keys: published.map((k) => ({ ...k.publicJwk, kid: k.jkt, alg: 'ES256', use: 'sig' })),
      }),
    );
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  acme = await t.newOrg('acme');
  k1 = await newEcKey();
  published = [k1];
  const actor = { type: 'system' as const, id: 'test', orgId: acme.orgId };
  await t.sc.trustedIssuers.add(actor, { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwksUrl });
  await t.sc.users.grantAsSystem(actor, { type: 'client', id: 'okta-ci' }, ['viewer']);
});
afterAll(async () => {
  await t.stop();
  await new Promise<void>((r) => jwksServer.close(() => r()));
});

function external(key: KeyPair, claims: Record<string, unknown> = {}, kid = key.jkt): string {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid },
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'okta-ci',
      client_id: 'okta-ci',
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
      scp: ['read'],
      ...claims,
    },
    key.privateKey,
  );
}

const call = (token: string) =>
  t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });

describe('tokens from an IdP the org trusts', () => {
  it('are accepted for that org, with the scopes of the token', async () => {
    const res = await call(external(k1));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'client',
      id: 'okta-ci',
      org: { id: acme.orgId },
      scopes: ['read'],
    });
    const servers = await t.app.inject({
      method: 'GET',
      url: '/v1/servers',
      headers: { authorization: `Bearer ${external(k1)}` },
    });
    expect(servers.statusCode).toBe(200);
  });

  it('fetch the JWKS once and then verify from the cache', async () => {
    const before = fetches;
    for (let i = 0; i < 3; i++) expect((await call(external(k1))).statusCode).toBe(200);
    expect(fetches).toBe(before);
  });

  it('are refused for another audience, another issuer string or an unknown kid', async () => {
    const cases: [string, string][] = [
      [external(k1, { aud: 'api://other' }), 'token_audience_mismatch'],
      [external(k1, { iss: `${ISSUER}/` }), 'token_issuer_untrusted'],
      [external(await newEcKey()), 'token_key_unknown'],
    ];
    for (const [token, code] of cases) {
      const res = await call(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(code);
    }
  });

  it('cannot be configured with a JWKS URL the egress policy refuses (cloud metadata)', async () => {
    await expect(
      t.sc.trustedIssuers.add(
        { type: 'system', id: 'test', orgId: acme.orgId },
        { issuer: 'https://x.test', audience: 'a', jwksUri: 'http://169.254.169.254/jwks' },
      ),
    ).rejects.toMatchObject({ code: 'url_not_allowed' });
  });

  it('map to one org: a second org cannot trust the same issuer and audience', async () => {
    const other = await t.newOrg('globex');
    await expect(
      t.sc.trustedIssuers.add(
        { type: 'system', id: 'test', orgId: other.orgId },
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwksUrl },
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('key rotation at the IdP', () => {
  it('is followed: a new kid triggers one refetch (after the cooldown), a kid still unknown is refused', async () => {
    const trusted = createTrustedIssuers({
      db: t.database.db,
      fetchFor: () => t.sc.egress.fetch,
      checkUrl: async () => ({ ok: true }),
      jwksCooldownMs: 200,
    });
    const authenticate = createAccessTokenAuthenticator({
      db: t.database.db,
      publicUrl: 'http://127.0.0.1:0',
      ownKeys: t.sc.oauth!.ownKeys.getKey,
      trusted,
    });
    const req = (token: string) => ({
      authorization: `Bearer ${token}`,
      dpop: undefined,
      cookies: {},
      method: 'GET',
      url: 'http://127.0.0.1:0/v1/me',
    });
    expect(await authenticate(req(external(k1)), new Date())).toMatchObject({ orgId: acme.orgId });

    const k2 = await newEcKey();
    published = [k1, k2];
    await sleep(250);
    const before = fetches;
    expect(await authenticate(req(external(k2)), new Date())).toMatchObject({ id: 'okta-ci' });
    expect(fetches).toBe(before + 1);

    published = [k2];
    const stranger = await newEcKey();
    await expect(authenticate(req(external(stranger)), new Date())).rejects.toMatchObject({
      code: 'token_key_unknown',
    });
  });
});

describe('removing the trust', () => {
  it('refuses the IdP tokens from then on', async () => {
    const actor = { type: 'system' as const, id: 'test', orgId: acme.orgId };
    const [entry] = await t.sc.trustedIssuers.list(actor);
    expect(await t.sc.trustedIssuers.remove(actor, entry!.id)).toBe(true);
    const res = await call(external(k1));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_issuer_untrusted');
  });
});
