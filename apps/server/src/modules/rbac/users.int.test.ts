import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof userWithRoles>>;
let admin: Awaited<ReturnType<typeof userWithRoles>>;
beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  owner = await userWithRoles(t.sc, t.orgId, 'olivia@example.com', ['owner']);
  admin = await userWithRoles(t.sc, t.orgId, 'adam@example.com', ['admin']);
});
afterAll(() => t.stop());

type Headers = { authorization: string };
const get = (url: string, headers: Headers = t.auth) => t.app.inject({ method: 'GET', url, headers });
const setRoles = (id: string, roles: string[], headers: Headers = t.auth) =>
  t.app.inject({ method: 'PUT', url: `/v1/users/${id}/roles`, headers, payload: { roles } });
const listServers = (headers: Headers) => get('/v1/servers', headers);
const registerServer = (headers: Headers, name: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers,
    payload: { name, url: 'https://mcp.example.com/mcp', autoDiscover: false },
  });

describe('listing users (story 1.3)', () => {
  it('shows every user of the org with their current roles and effective permissions', async () => {
    const res = await get('/v1/users');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { email: string; roles: string[]; effectivePermissions: string[] }[];
    expect(items.find((u) => u.email === 'olivia@example.com')).toMatchObject({
      roles: ['owner'],
      effectivePermissions: expect.arrayContaining(['sso:write', 'servers:create']),
    });
    expect(items.find((u) => u.email === 'adam@example.com')?.roles).toEqual(['admin']);
  });

  it('filters by role and text, pages with a cursor, and shows one user by id', async () => {
    for (const n of ['p1', 'p2', 'p3']) await userWithRoles(t.sc, t.orgId, `${n}@paging.example`, ['viewer']);
    const first = await get('/v1/users?role=viewer&q=paging&limit=2');
    expect(first.json().items.map((u: { email: string }) => u.email)).toEqual([
      'p1@paging.example',
      'p2@paging.example',
    ]);
    const next = await get(`/v1/users?role=viewer&q=paging&limit=2&cursor=${first.json().nextCursor}`);
    expect(next.json()).toMatchObject({ items: [{ email: 'p3@paging.example' }], nextCursor: null });
    const one = await get(`/v1/users/${admin.id}`);
    expect(one.json()).toMatchObject({
      id: admin.id,
      email: 'adam@example.com',
      status: 'active',
      roles: ['admin'],
    });
    expect((await get('/v1/users/0190a0a0-0000-7000-8000-000000000000')).json().code).toBe('user_not_found');
  });

  it('a user without users:read cannot list users', async () => {
    const viewer = await userWithRoles(t.sc, t.orgId, 'vera@example.com', ['viewer']);
    const res = await get('/v1/users', viewer.as());
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/users:read/);
  });

  it('users of another org are invisible', async () => {
    const other = await t.newOrg('users-other');
    expect((await get('/v1/users', other.auth)).json().items).toEqual([]);
    expect((await get(`/v1/users/${admin.id}`, other.auth)).statusCode).toBe(404);
  });
});

describe('assigning roles (story 1.3)', () => {
  it('a user gains the permissions of a role on their very next request, and loses them when it is removed', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'gain@example.com', []);
    expect((await listServers(u.as())).statusCode).toBe(403);
    const res = await setRoles(u.id, ['viewer'], owner.as());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      roles: ['viewer'],
      effectivePermissions: expect.arrayContaining(['servers:list']),
    });
    expect((await listServers(u.as())).statusCode).toBe(200);
    await setRoles(u.id, [], owner.as());
    expect((await listServers(u.as())).statusCode).toBe(403);
  });

  it('a user with several roles has the union of their permissions', async () => {
    await t.sc.rbac.roles.create(
      await t.sc.policy.authorizerFor({
        kind: 'api_key',
        id: 'k',
        orgId: t.orgId,
        name: 'k',
        scopes: ['admin'],
        roles: [],
        authMethod: 'api_key',
      }),
      undefined,
      { name: 'register-only', permissions: ['servers:create'] },
    );
    const u = await userWithRoles(t.sc, t.orgId, 'union@example.com', ['register-only']);
    expect((await registerServer(u.as(), 'union-1')).statusCode).toBe(201);
    expect((await listServers(u.as())).statusCode).toBe(403);
    await setRoles(u.id, ['register-only', 'viewer']);
    expect((await registerServer(u.as(), 'union-2')).statusCode).toBe(201);
    expect((await listServers(u.as())).statusCode).toBe(200);
  });

  it('an access token narrows the user to the intersection of their permissions and its scopes', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'token@example.com', ['engineer']);
    const readOnly = u.as({ authMethod: 'bearer_jwt', scopes: ['read'] });
    expect((await listServers(readOnly)).statusCode).toBe(200);
    expect((await registerServer(readOnly, 'scoped')).statusCode).toBe(403);
    expect(
      (await registerServer(u.as({ authMethod: 'bearer_jwt', scopes: ['write'] }), 'scoped')).statusCode,
    ).toBe(201);
  });

  it('an admin cannot grant owner: 403 naming the missing permission, and nothing changes', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'climber@example.com', ['viewer']);
    const res = await setRoles(u.id, ['owner'], admin.as());
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toBe(
      'You cannot grant the role "owner": it carries permissions you do not have yourself: sso:write.',
    );
    expect((await get(`/v1/users/${u.id}`)).json().roles).toEqual(['viewer']);
    expect((await setRoles(u.id, ['engineer', 'analyst'], admin.as())).json().roles).toEqual([
      'analyst',
      'engineer',
    ]);
  });

  it('an admin cannot demote an owner either (removing a role needs its permissions too)', async () => {
    const o2 = await userWithRoles(t.sc, t.orgId, 'owner2@example.com', ['owner']);
    const res = await setRoles(o2.id, ['viewer'], admin.as());
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/remove the role "owner".*sso:write/);
  });

  it('an admin cannot grant themselves more', async () => {
    const res = await setRoles(admin.id, ['admin', 'owner'], admin.as());
    expect(res.statusCode).toBe(403);
  });

  it('the last active owner keeps the owner role', async () => {
    const org = await t.newOrg('one-owner');
    const only = await userWithRoles(t.sc, org.orgId, 'solo@example.com', ['owner']);
    const res = await setRoles(only.id, ['admin'], org.auth);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('last_owner');
    const second = await userWithRoles(t.sc, org.orgId, 'duo@example.com', ['owner']);
    expect((await setRoles(only.id, ['admin'], org.auth)).statusCode).toBe(200);
    expect((await setRoles(second.id, [], org.auth)).json().code).toBe('last_owner');
  });

  it('unknown role names are a 422 naming each one', async () => {
    const res = await setRoles(admin.id, ['admin', 'wizard']);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { location: 'body', pointer: '/roles/1', detail: 'no role named "wizard"' },
    ]);
  });

  it('needs a recent sign-in from a person, and audits every change', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'audited@example.com', ['viewer']);
    const stale = await setRoles(
      u.id,
      ['analyst'],
      owner.as({ authTime: new Date(Date.now() - 60 * 60_000) }),
    );
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe('step_up_required');
    expect((await setRoles(u.id, ['analyst'], owner.as())).statusCode).toBe(200);
    const events = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'actor_type', 'actor_id', 'data'])
        .where('target_id', '=', u.id)
        .where('action', '=', 'user.roles_changed')
        .orderBy('id')
        .execute(),
    );
    expect(events.at(-1)).toMatchObject({
      actor_type: 'user',
      actor_id: owner.id,
      data: { added: ['analyst'], removed: ['viewer'], roles: ['analyst'] },
    });
  });

  it('a disabled user can do nothing, whatever their roles', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'gone@example.com', ['owner']);
    expect((await listServers(u.as())).statusCode).toBe(200);
    await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.updateTable('users').set({ status: 'disabled' }).where('id', '=', u.id).execute(),
    );
    t.sc.rbac.permissions.invalidate(t.orgId);
    expect((await listServers(u.as())).statusCode).toBe(403);
    expect((await get(`/v1/users/${u.id}`)).json()).toMatchObject({
      status: 'disabled',
      effectivePermissions: [],
    });
  });
});
