import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

/**
 * Issue 10 point 4: API keys hold roles, not only scopes, so a role's policies can be exercised with a key; a
 * key is never given a role beyond its creator's authority (issue 8: no credential exceeds its creator's).
 */
const NS = 'SprintConnect';
const NO_LISTING_FOR_CONTRACTORS = `@reason("contractors do not list servers")
forbid (principal in ${NS}::Role::"contractor", action == ${NS}::Action::"servers:list", resource);`;

let t: TestApp;
type Headers = { authorization: string };
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const create = (payload: Record<string, unknown>, headers: Headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload });
const get = (url: string, headers: Headers) => t.app.inject({ url, headers });

beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  const role = await t.app.inject({
    method: 'POST',
    url: '/v1/roles',
    headers: t.auth,
    payload: { name: 'contractor', extends: 'viewer', permissions: [] },
  });
  expect(role.statusCode).toBe(201);
  const policy = await t.app.inject({
    method: 'POST',
    url: '/v1/policies',
    headers: t.auth,
    payload: { name: 'no-listing-for-contractors', policy: NO_LISTING_FOR_CONTRACTORS },
  });
  expect(policy.statusCode).toBe(201);
});
afterAll(() => t.stop());

describe('API keys holding roles (issue 10 point 4)', () => {
  it('a key holding a role is refused what a policy on that role forbids; a key without the role is allowed', async () => {
    const contractor = await create({ name: 'contractor-key', scopes: ['read'], roles: ['contractor'] });
    expect(contractor.statusCode).toBe(201);
    expect(contractor.json()).toMatchObject({ scopes: ['read'], roles: ['contractor'] });
    const plain = await create({ name: 'plain-key', scopes: ['read'] });

    const refused = await get('/v1/servers', bearer(contractor.json().token));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'forbidden' });
    expect(refused.json().detail).toMatch(/contractors do not list servers/);
    expect((await get('/v1/servers', bearer(plain.json().token))).statusCode).toBe(200);
    // Only what the policy names is refused: its scope still reads the key list.
    expect((await get('/v1/api-keys', bearer(contractor.json().token))).statusCode).toBe(200);
    // A dry run about the key answers as its requests are answered: by its roles too.
    const dry = await t.app.inject({
      method: 'POST',
      url: '/v1/policies/dry-run',
      headers: t.auth,
      payload: {
        principal: { kind: 'api_key', id: contractor.json().id },
        action: 'servers:list',
        resource: { type: 'org' },
      },
    });
    expect(dry.json()).toMatchObject({
      allowed: false,
      determiningPolicies: ['org/no-listing-for-contractors'],
    });
  });

  it('a key with roles and no scopes can do what its roles grant, and nothing else', async () => {
    const viewer = await create({ name: 'viewer-key', scopes: [], roles: ['viewer'] });
    expect(viewer.statusCode).toBe(201);
    const token = viewer.json().token;
    expect((await get('/v1/servers', bearer(token))).statusCode).toBe(200);
    const denied = await get('/v1/api-keys', bearer(token));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toMatch(/neither this key's scopes nor its roles grant api_keys:read/);
    const me = (await get('/v1/me', bearer(token))).json();
    expect(me).toMatchObject({ kind: 'api_key', roles: ['viewer'], scopes: [] });
    // Listed and read back with its roles.
    expect((await get(`/v1/api-keys/${viewer.json().id}`, t.auth)).json().roles).toEqual(['viewer']);
  });

  it('a key is never given a role beyond its creator: an engineer may give viewer, not admin; nor may a key', async () => {
    const engineer = await userWithRoles(t.sc, t.orgId, 'engineer@example.com', ['engineer']);
    const beyond = await create({ name: 'too-much', scopes: [], roles: ['admin'] }, engineer.as());
    expect(beyond.statusCode).toBe(403);
    expect(beyond.json().detail).toMatch(/the role admin: it grants permissions you do not have yourself/);
    expect(beyond.json().detail).toMatch(/roles:write/);
    expect((await create({ name: 'within', scopes: [], roles: ['viewer'] }, engineer.as())).statusCode).toBe(
      201,
    );

    const reader = await t.keyWithScopes(['read', 'api_keys:write']);
    const byKey = await create({ name: 'from-a-key', scopes: [], roles: ['engineer'] }, bearer(reader));
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json().detail).toMatch(/servers:create/);
    const names = (await get('/v1/api-keys?limit=100', t.auth))
      .json()
      .items.map((k: { name: string }) => k.name);
    expect(names).not.toContain('too-much');
    expect(names).not.toContain('from-a-key');
  });

  it('refuses an unknown role (422 naming it) and a key with neither scopes nor roles, creating nothing', async () => {
    const unknown = await create({ name: 'ghost', scopes: ['read'], roles: ['viewer', 'ghost'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ pointer: '/roles/1' })]);
    const empty = await create({ name: 'empty', scopes: [] });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors).toEqual([expect.objectContaining({ pointer: '/scopes' })]);
    const names = (await get('/v1/api-keys?limit=100', t.auth))
      .json()
      .items.map((k: { name: string }) => k.name);
    expect(names).not.toContain('ghost');
    expect(names).not.toContain('empty');
  });

  it('a role a key holds is in use (409) until the key is revoked, which takes the role from it', async () => {
    const role = await t.app.inject({
      method: 'POST',
      url: '/v1/roles',
      headers: t.auth,
      payload: { name: 'temporary', extends: 'viewer', permissions: [] },
    });
    const key = await create({ name: 'temp-key', scopes: [], roles: ['temporary'] });
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/roles/${role.json().id}`, headers: t.auth });
    const inUse = await del();
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'role_in_use' });
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${key.json().id}`,
      headers: t.auth,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await del()).statusCode).toBe(204);
  });
});
