import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthTestApp, startOAuthApp } from '../../../../test/oauth-app.ts';
import { Browser } from '../../../../test/oauth-browser.ts';

/**
 * SprintConnect's authorization server over real HTTP on 127.0.0.1, driven by openid-client as the client:
 * metadata, client_credentials for CI, resource-bound JWT access tokens, DPoP, the code flow with PKCE for the
 * CLI (loopback redirect) and for a dynamically registered MCP client.
 */
let s: OAuthTestApp;
const sys = () => ({ type: 'system' as const, id: 'test', orgId: s.t.orgId });

beforeAll(async () => {
  s = await startOAuthApp();
});
afterAll(() => s.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${s.publicUrl}${path}`, { headers });

describe('metadata', () => {
  it('publishes OpenID discovery for the issuer PUBLIC_URL/oidc with S256 PKCE, DPoP, introspection, revocation', async () => {
    const res = await get('/oidc/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, unknown>;
    expect(m).toMatchObject({
      issuer: s.issuer,
      token_endpoint: `${s.issuer}/token`,
      jwks_uri: `${s.issuer}/jwks`,
      introspection_endpoint: `${s.issuer}/token/introspection`,
      revocation_endpoint: `${s.issuer}/token/revocation`,
      registration_endpoint: `${s.issuer}/reg`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(m.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(m.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
  });

  it('serves the same document at the RFC 8414 path-inserted URL', async () => {
    const a = await (await get('/.well-known/oauth-authorization-server/oidc')).json();
    const b = await (await get('/oidc/.well-known/openid-configuration')).json();
    expect(a).toEqual(b);
  });

  it('publishes protected resource metadata (RFC 9728) for /v1 and /mcp', async () => {
    for (const [path, resource] of [
      ['v1', s.api],
      ['mcp', s.mcp],
    ] as const) {
      const res = await get(`/.well-known/oauth-protected-resource/${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        resource,
        authorization_servers: [s.issuer],
        bearer_methods_supported: ['header'],
        dpop_signing_alg_values_supported: ['ES256', 'RS256', 'EdDSA'],
      });
    }
  });

  it('points an anonymous or refused API caller to that metadata in WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: 'Bearer a.b.c' }] as Record<string, string>[]) {
      const res = await get('/v1/servers', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(
        `resource_metadata="${s.publicUrl}/.well-known/oauth-protected-resource/v1"`,
      );
    }
  });
});

describe('client_credentials for a CI client of an org', () => {
  let ci: { clientId: string; clientSecret: string };
  let config: client.Configuration;

  beforeAll(async () => {
    ci = await s.t.sc.oauth.server!.registerClient(sys(), { name: 'ci', scopes: ['read', 'servers:write'] });
    await s.t.sc.rbac.users.grantAsSystem(sys(), { type: 'client', id: ci.clientId }, ['viewer']);
    config = await s.configFor(ci.clientId, client.ClientSecretBasic(ci.clientSecret));
  });

  it('gets a 5-minute at+jwt for PUBLIC_URL/v1 carrying its org, and lists servers with it', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: s.issuer,
      aud: s.api,
      sub: ci.clientId,
      client_id: ci.clientId,
      org_id: s.t.orgId,
    });
    expect(claims.exp! - claims.iat!).toBe(300);
    const res = await get('/v1/servers', { authorization: `Bearer ${tokens.access_token}` });
    expect(res.status, await res.clone().text()).toBe(200);
    const me = (await (
      await get('/v1/me', { authorization: `Bearer ${tokens.access_token}` })
    ).json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      kind: 'client',
      id: ci.clientId,
      org: { id: s.t.orgId },
      scopes: ['read'],
      roles: ['viewer'],
    });
  });

  it('cannot get a scope its registration does not list', async () => {
    await expect(client.clientCredentialsGrant(config, { scope: 'admin' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('gets a token for /mcp when it asks for that resource, and /v1 refuses it (token_audience_mismatch)', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read', resource: s.mcp });
    expect(decodeJwt(tokens.access_token).aud).toBe(s.mcp);
    const res = await get('/v1/servers', { authorization: `Bearer ${tokens.access_token}` });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('token_audience_mismatch');
  });

  it('cannot ask for a resource that is not ours (invalid_target)', async () => {
    await expect(
      client.clientCredentialsGrant(config, { scope: 'read', resource: 'https://elsewhere.example/api' }),
    ).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('fails with a wrong secret', async () => {
    const bad = await s.configFor(ci.clientId, client.ClientSecretBasic('not-the-secret'));
    await expect(client.clientCredentialsGrant(bad, { scope: 'read' })).rejects.toMatchObject({
      status: 401,
      cause: [{ parameters: { error: 'invalid_client' } }],
    });
  });
});

describe('a CI client required to use DPoP', () => {
  it('gets a DPoP-bound token only with a proof, and uses it only with the DPoP scheme', async () => {
    const ci = await s.t.sc.oauth.server!.registerClient(sys(), {
      name: 'ci-dpop',
      scopes: ['read'],
      dpopBound: true,
    });
    await s.t.sc.rbac.users.grantAsSystem(sys(), { type: 'client', id: ci.clientId }, ['viewer']);
    const config = await s.configFor(ci.clientId, client.ClientSecretBasic(ci.clientSecret));
    await expect(client.clientCredentialsGrant(config, { scope: 'read' })).rejects.toBeDefined();

    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect((decodeJwt(tokens.access_token).cnf as { jkt: string }).jkt).toMatch(/^[\w-]{43}$/);

    const ok = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${s.api}/servers`),
      'GET',
      undefined,
      undefined,
      {
        DPoP: dpop,
      },
    );
    expect(ok.status).toBe(200);
    const asBearer = await get('/v1/servers', { authorization: `Bearer ${tokens.access_token}` });
    expect(asBearer.status).toBe(401);
    expect(((await asBearer.json()) as { code: string }).code).toBe('dpop_required');
  });
});

describe('authorization code with PKCE: the CLI on a loopback redirect (RFC 8252)', () => {
  const redirectUri = 'http://127.0.0.1:53682/callback';

  it('signs the user in and returns tokens whose principal is that user, on any loopback port', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const tokens = await s.codeFlow(config, { redirectUri, scope: 'openid offline_access read write' });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.id_token).toBeTruthy();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      sub: s.user.id,
      aud: s.api,
      org_id: s.t.orgId,
      client_id: 'sprintconnect-cli',
    });
    expect(typeof claims.auth_time).toBe('number');
    const me = await get('/v1/me', { authorization: `Bearer ${tokens.access_token}` });
    expect(await me.json()).toMatchObject({
      kind: 'user',
      id: s.user.id,
      name: s.user.name,
      email: s.user.email,
      org: { id: s.t.orgId },
      roles: ['engineer'],
      authMethod: 'bearer_jwt',
      scopes: ['read', 'write'],
    });
    expect((await get('/v1/servers', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);

    const otherPort = await s.codeFlow(config, {
      redirectUri: 'http://127.0.0.1:61001/callback',
      scope: 'openid read',
    });
    expect(otherPort.access_token).toBeTruthy();
  });

  it('exchanges an authorization code once, even when two requests race with it', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const back = await new Browser().authorize(url, redirectUri, { login: s.login });
    const exchange = () =>
      client.authorizationCodeGrant(config, back, {
        pkceCodeVerifier: verifier,
        expectedState: client.skipStateCheck,
      });
    const results = await Promise.allSettled([exchange(), exchange()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ error: 'invalid_grant' });
    await expect(exchange()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('burns a code at a failed PKCE check: the right code_verifier afterwards is refused too (issue 8 point 12)', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const back = await new Browser().authorize(url, redirectUri, { login: s.login });
    const redeem = (pkceCodeVerifier: string) =>
      client.authorizationCodeGrant(config, back, { pkceCodeVerifier, expectedState: client.skipStateCheck });
    await expect(redeem(client.randomPKCECodeVerifier())).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(redeem(verifier)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('redeems a code with the right code_verifier at the first try (control)', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const back = await new Browser().authorize(url, redirectUri, { login: s.login });
    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier,
      expectedState: client.skipStateCheck,
    });
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses a redirect_uri that differs in its path (exact matching), without redirecting', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:53682/callback/../evil',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('requires PKCE: an authorization request without code_challenge is refused', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid' });
    const res = await fetch(url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('shows the form again with an error for a wrong password, and signs nobody in', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new Browser();
    await expect(
      browser.authorize(url, redirectUri, { login: { ...s.login, password: 'wrong' } }),
    ).rejects.toThrow(/^401 at .*\/login/);
    const page = browser.pages.at(-1)!;
    expect(page.html).toContain('The organization, email or password is not right.');
    expect(page.html).toContain(`value="${s.user.email}"`);
  });
});
