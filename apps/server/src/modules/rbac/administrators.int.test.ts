import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator, testPrincipalHeader } from '../../../test/test-principal.ts';
import { withTenant } from '../../platform/db/index.ts';

/**
 * Issue 10 point 4: the last credential able to administer an org (roles:write, users:write, api_keys:admin)
 * cannot be revoked, demoted or removed by mistake: 409 last_administrator, nothing changed, unless
 * `?force=true`. Users, CI clients and API keys all count, each as its own requests would be decided (ADR 0037).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
});
afterAll(() => t.stop());

type Headers = { authorization: string };
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const system = (orgId: string) => ({ type: 'system' as const, id: 'test', orgId });
const idOf = async (token: string) =>
  (await t.app.inject({ url: '/v1/me', headers: bearer(token) })).json().id;
const revoke = (id: string, headers: Headers, query = '') =>
  t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}${query}`, headers });
/** A key made by the system, so no other key's revocation takes it along (issue 8 point 3). */
const systemKey = async (orgId: string, scopes: string[]) =>
  (await t.sc.apiKeys.keys.create(system(orgId), { name: `system ${scopes.join(' ')}`, scopes })).token;
const stateOf = (orgId: string, id: string) =>
  withTenant(t.database.adminDb, orgId, (tx) =>
    tx.selectFrom('api_keys').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow(),
  );

describe('the last credential able to administer an org', () => {
  it('an admin key cannot revoke itself when it is the last one (409, still works); ?force=true does', async () => {
    const org = await t.newOrg('last-key');
    const id = await idOf(org.key);
    const refused = await revoke(id, org.auth);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'last_administrator', status: 409 });
    expect(refused.json().detail).toMatch(/revoke the API key .* \?force=true/);
    expect((await stateOf(org.orgId, id)).revoked_at).toBeNull();
    expect((await t.app.inject({ url: '/v1/me', headers: org.auth })).statusCode).toBe(200);

    expect((await revoke(id, org.auth, '?force=true')).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/me', headers: org.auth })).statusCode).toBe(401);
  });

  it('revokes freely while another administrator remains, and a key that administers nothing always', async () => {
    const org = await t.newOrg('two-keys');
    const reader = await systemKey(org.orgId, ['read']);
    expect((await revoke(await idOf(reader), org.auth)).statusCode).toBe(204);
    const second = await systemKey(org.orgId, ['admin']);
    expect((await revoke(await idOf(org.key), bearer(second))).statusCode).toBe(204);
    expect((await revoke(await idOf(second), bearer(second))).statusCode).toBe(409);
  });

  it('counts what a revocation takes with it: an admin key made by the last one does not save it', async () => {
    const org = await t.newOrg('cascade');
    const child = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: org.auth,
      payload: { name: 'child admin', scopes: ['admin'] },
    });
    expect(child.statusCode).toBe(201);
    // Revoking the parent revokes the child too (issue 8 point 3), which would leave nobody.
    const refused = await revoke(await idOf(org.key), bearer(child.json().token));
    expect(refused.json()).toMatchObject({ code: 'last_administrator' });
    expect((await stateOf(org.orgId, child.json().id)).revoked_at).toBeNull();
  });

  it('counts an admin user: the last admin key may go; the user then cannot drop their admin role without force', async () => {
    const org = await t.newOrg('admin-user');
    const user = await t.sc.rbac.users.create(system(org.orgId), { email: 'admin@example.com' });
    await t.sc.rbac.users.grantAsSystem(system(org.orgId), { type: 'user', id: user.id }, ['admin']);
    expect((await revoke(await idOf(org.key), org.auth)).statusCode).toBe(204);

    const as = testPrincipalHeader({ orgId: org.orgId, id: user.id, name: 'admin@example.com' });
    const demote = (query = '') =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/users/${user.id}/roles${query}`,
        headers: as,
        payload: { roles: ['viewer'] },
      });
    const refused = await demote();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'last_administrator' });
    expect(refused.json().detail).toMatch(/take "admin" from admin@example.com/);
    expect((await t.app.inject({ url: `/v1/users/${user.id}`, headers: as })).json().roles).toEqual([
      'admin',
    ]);
    const forced = await demote('?force=true');
    expect(forced.statusCode).toBe(200);
    expect(forced.json().roles).toEqual(['viewer']);
  });

  it('counts a CI client by its roles within its registered scopes; removing the last one needs force', async () => {
    const org = await t.newOrg('admin-client');
    const server = t.sc.oauth.server!;
    const narrow = await server.registerClient(system(org.orgId), { name: 'narrow', scopes: ['read'] });
    await t.sc.rbac.users.grantAsSystem(system(org.orgId), { type: 'client', id: narrow.clientId }, [
      'admin',
    ]);
    // An admin role its tokens can never use (scope `read`) administers nothing.
    expect((await revoke(await idOf(org.key), org.auth)).json()).toMatchObject({
      code: 'last_administrator',
    });

    const full = await server.registerClient(system(org.orgId), { name: 'full', scopes: ['admin'] });
    await t.sc.rbac.users.grantAsSystem(system(org.orgId), { type: 'client', id: full.clientId }, ['admin']);
    expect((await revoke(await idOf(org.key), org.auth)).statusCode).toBe(204);

    // A key that may remove clients (api_keys:admin) but administers nothing itself.
    const keeper = bearer(await systemKey(org.orgId, ['api_keys:admin']));
    const remove = (query = '') =>
      t.app.inject({ method: 'DELETE', url: `/v1/oauth-clients/${full.clientId}${query}`, headers: keeper });
    const refused = await remove();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'last_administrator' });
    const listed = (await t.app.inject({ url: '/v1/oauth-clients', headers: keeper })).json().items;
    expect(listed.map((c: { clientId: string }) => c.clientId)).toContain(full.clientId);
    expect((await remove('?force=true')).statusCode).toBe(204);
  });
});
