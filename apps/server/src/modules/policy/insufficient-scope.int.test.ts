import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { epoch, type OwnKey, ownSigningKey, signJwt } from '../../../test/oauth-tokens.ts';
import { testPrincipalAuthenticator, testPrincipalHeader } from '../../../test/test-principal.ts';

/**
 * Issue 8 point 10: a 403 because the credential's scopes do not cover the request carries the RFC 6750 §3.1
 * challenge naming the scope that would; a 403 for any other reason (the roles) carries none, since a token
 * with more scope would not help.
 */
const PUBLIC = 'http://127.0.0.1:0';
let t: TestApp;
let es: OwnKey;

beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  es = await ownSigningKey(t.database.db);
  const system = { type: 'system' as const, id: 'test', orgId: t.orgId };
  await t.sc.rbac.users.grantAsSystem(system, { type: 'client', id: 'scc_scope_engineer' }, ['engineer']);
  await t.sc.rbac.users.grantAsSystem(system, { type: 'client', id: 'scc_scope_viewer' }, ['viewer']);
});
afterAll(() => t.stop());

function clientToken(clientId: string, scope: string): string {
  const now = epoch();
  return signJwt(
    { alg: 'ES256', typ: 'at+jwt', kid: es.kid },
    {
      iss: `${PUBLIC}/oidc`,
      sub: clientId,
      client_id: clientId,
      aud: `${PUBLIC}/v1`,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      scope,
      org_id: t.orgId,
    },
    es.privateKey,
  );
}

const listKeys = (authorization: string) =>
  t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { authorization } });

const CHALLENGE =
  'Bearer error="insufficient_scope", error_description="The credential lacks a scope for this request", scope="api_keys:read"';

describe('a 403 for a missing scope', () => {
  it('names the scope in a Bearer insufficient_scope challenge for an API key', async () => {
    const res = await listKeys(`Bearer ${await t.keyWithScopes(['servers:read'])}`);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('names the scope for an access token whose roles would allow the request', async () => {
    const res = await listKeys(`Bearer ${clientToken('scc_scope_engineer', 'servers:read')}`);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });
});

describe('a 403 for any other reason', () => {
  it('has no challenge when the token has the scope but the roles lack the permission', async () => {
    const res = await listKeys(`Bearer ${clientToken('scc_scope_viewer', 'api_keys:read')}`);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('has no challenge for a signed-in person whose roles lack the permission', async () => {
    const user = randomUUID();
    await t.sc.rbac.users.grantAsSystem(
      { type: 'system', id: 'test', orgId: t.orgId },
      { type: 'user', id: user },
      ['viewer'],
    );
    const res = await listKeys(testPrincipalHeader({ orgId: t.orgId, id: user }).authorization);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('and a credential whose scope covers the request is not refused', async () => {
    expect((await listKeys(`Bearer ${clientToken('scc_scope_engineer', 'api_keys:read')}`)).statusCode).toBe(
      200,
    );
  });
});
