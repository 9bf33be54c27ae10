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
  await t.sc.oauth.trustedIssuers.add(actor, { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwksUrl });
  await t.sc.rbac.users.grantAsSystem(actor, { type: 'client', id: 'okta-ci' }, ['viewer']);
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
      t.sc.oauth.trustedIssuers.add(
        { type: 'system', id: 'test', orgId: acme.orgId },
        { issuer: 'https://x.test', audience: 'a', jwksUri: 'http://169.254.169.254/jwks' },
      ),
    ).rejects.toMatchObject({ code: 'url_not_allowed' });
  });
});

/**
 * Issue 8 point 9: trust is not first-come. Several orgs may trust the same issuer and audience; registering
 * one another org trusts is neither refused nor told. A token goes to the org whose entry it satisfies; one
 * that satisfies entries of several orgs is refused without naming them, and an org that shares its IdP
 * requires its own audience (`<public URL>/v1/orgs/<org id>`), which no other org can require.
 */
describe('an issuer and audience trusted by several orgs', () => {
  const SHARED = 'https://idp.shared.test';
  const SHARED_AUD = 'api://sprintconnect-shared';
  const PUBLIC = 'http://127.0.0.1:0';
  let first: { orgId: string; auth: { authorization: string } };
  let second: { orgId: string; auth: { authorization: string } };

  const trust = (auth: { authorization: string }, audience: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/trusted-issuers',
      headers: auth,
      payload: { issuer: SHARED, audience, jwksUri: jwksUrl },
    });
  const token = (aud: string | string[]) =>
    external(k1, { iss: SHARED, aud, sub: 'shared-ci', client_id: 'shared-ci' });

  beforeAll(async () => {
    first = await t.newOrg('squatter');
    second = await t.newOrg('latecomer');
    for (const org of [first, second]) {
      await t.sc.rbac.users.grantAsSystem(
        { type: 'system', id: 'test', orgId: org.orgId },
        { type: 'client', id: 'shared-ci' },
        ['viewer'],
      );
    }
  });

  it('can be trusted by a second org: 201 with its own entry only, no 409 telling of the first', async () => {
    expect((await trust(first.auth, SHARED_AUD)).statusCode).toBe(201);
    const res = await trust(second.auth, SHARED_AUD);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(first.orgId);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/trusted-issuers', headers: second.auth });
    expect(listed.json().items).toEqual([
      { id: res.json().id, issuer: SHARED, audience: SHARED_AUD, jwksUri: jwksUrl },
    ]);
  });

  it('a token satisfying the entries of both is refused as ambiguous, naming neither', async () => {
    const res = await call(token(SHARED_AUD));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_issuer_ambiguous');
    expect(res.body).not.toContain(first.orgId);
    expect(res.body).not.toContain(second.orgId);
  });

  it('a token with an org audience goes to that org, although the first org registered the issuer first', async () => {
    const own = `${PUBLIC}/v1/orgs/${second.orgId}`;
    expect((await trust(second.auth, own)).statusCode).toBe(201);
    for (const aud of [own, [SHARED_AUD, own]]) {
      const res = await call(token(aud));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ kind: 'client', id: 'shared-ci', org: { id: second.orgId } });
    }
  });

  it('no org can require the org audience of another (422), so none can take its tokens', async () => {
    const res = await trust(first.auth, `${PUBLIC}/v1/orgs/${second.orgId}`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/audience' }] });
    expect(res.body).not.toContain('latecomer');
  });
});

describe('key rotation at the IdP', () => {
  it('is followed: a new kid triggers one refetch (after the cooldown), a kid still unknown is refused', async () => {
    const trusted = createTrustedIssuers({
      db: t.database.db,
      publicUrl: 'http://127.0.0.1:0',
      fetchFor: () => t.sc.platform.egress.fetch,
      checkUrl: (orgId, url) => t.sc.egressPolicy.checkUrl(orgId, url),
      jwksCooldownMs: 200,
    });
    const authenticate = createAccessTokenAuthenticator({
      db: t.database.db,
      publicUrl: 'http://127.0.0.1:0',
      ownKeys: t.sc.oauth.server!.ownKeys.getKey,
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
    const [entry] = await t.sc.oauth.trustedIssuers.list(actor);
    expect(await t.sc.oauth.trustedIssuers.remove(actor, entry!.id)).toBe(true);
    const res = await call(external(k1));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token_issuer_untrusted');
  });
});
