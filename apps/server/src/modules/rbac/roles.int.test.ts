import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
let admin: Awaited<ReturnType<typeof userWithRoles>>;
beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  admin = await userWithRoles(t.sc, t.orgId, 'ada@example.com', ['admin']);
});
afterAll(() => t.stop());

type Headers = { authorization: string };
const get = (url: string, headers: Headers = t.auth) => t.app.inject({ method: 'GET', url, headers });
const post = (payload: unknown, headers: Headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/roles', headers, payload: payload as object });
const patch = (id: string, payload: unknown, headers: Headers = t.auth) =>
  t.app.inject({ method: 'PATCH', url: `/v1/roles/${id}`, headers, payload: payload as object });
const del = (id: string, headers: Headers = t.auth) =>
  t.app.inject({ method: 'DELETE', url: `/v1/roles/${id}`, headers });

async function roleId(name: string): Promise<string> {
  const res = await get('/v1/roles?limit=200');
  const role = res.json().items.find((r: { name: string }) => r.name === name);
  if (role === undefined) throw new Error(`no role ${name}`);
  return role.id;
}

async function auditActions(targetId: string): Promise<string[]> {
  const rows = await withTenant(t.database.adminDb, t.orgId, (tx) =>
    tx.selectFrom('audit_events').select('action').where('target_id', '=', targetId).orderBy('id').execute(),
  );
  return rows.map((r) => r.action);
}

describe('built-in roles', () => {
  it('every org has owner, admin, engineer, analyst and viewer, with inherited permissions', async () => {
    const res = await get('/v1/roles');
    expect(res.statusCode).toBe(200);
    const byName = new Map(res.json().items.map((r: { name: string }) => [r.name, r]));
    expect([...byName.keys()].sort()).toEqual(['admin', 'analyst', 'engineer', 'owner', 'viewer']);
    expect(byName.get('engineer')).toMatchObject({
      builtIn: true,
      extends: 'viewer',
      permissions: expect.arrayContaining(['servers:create']),
      effectivePermissions: expect.arrayContaining(['servers:list', 'servers:create']),
    });
    expect(byName.get('owner')).toMatchObject({
      effectivePermissions: expect.arrayContaining(['sso:write']),
    });
    expect((byName.get('admin') as { effectivePermissions: string[] }).effectivePermissions).not.toContain(
      'sso:write',
    );
  });

  it('a new org gets its own built-in roles on first use, invisible to other orgs', async () => {
    const other = await t.newOrg('roles-other');
    const mine = await roleId('viewer');
    const theirs = await get('/v1/roles', other.auth);
    expect(theirs.json().items).toHaveLength(5);
    expect(theirs.json().items.map((r: { id: string }) => r.id)).not.toContain(mine);
    expect((await get(`/v1/roles/${mine}`, other.auth)).statusCode).toBe(404);
  });

  it('built-in roles cannot be changed or deleted', async () => {
    const id = await roleId('viewer');
    const p = await patch(id, { description: 'mine now' });
    expect(p.statusCode).toBe(409);
    expect(p.json().code).toBe('role_built_in');
    const d = await del(id);
    expect(d.statusCode).toBe(409);
    expect(d.json().code).toBe('role_built_in');
  });
});

describe('custom roles', () => {
  it('creates a role extending a built-in, answers with its effective permissions, and audits it', async () => {
    const res = await post({
      name: 'release-manager',
      description: 'Engineers who read the audit log',
      extends: 'engineer',
      permissions: ['audit:read'],
    });
    expect(res.statusCode).toBe(201);
    const role = res.json();
    expect(res.headers.location).toBe(`/v1/roles/${role.id}`);
    expect(role).toMatchObject({
      name: 'release-manager',
      builtIn: false,
      extends: 'engineer',
      permissions: ['audit:read'],
    });
    expect(role.effectivePermissions).toEqual(
      expect.arrayContaining(['servers:create', 'servers:list', 'audit:read']),
    );
    expect((await get(role.links.self)).json()).toEqual(role);
    expect(await auditActions(role.id)).toEqual(['role.created']);
  });

  it('refuses a duplicate name, including a built-in one', async () => {
    await post({ name: 'dup', permissions: [] });
    expect((await post({ name: 'dup', permissions: [] })).json().code).toBe('role_name_taken');
    const builtIn = await post({ name: 'admin', permissions: [] });
    expect(builtIn.statusCode).toBe(409);
    expect(builtIn.json().code).toBe('role_name_taken');
  });

  it('refuses unknown permissions and unknown parents with 422 naming the field', async () => {
    const bad = await post({ name: 'bad-perm', permissions: ['servers:list', 'root:all'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { location: 'body', pointer: '/permissions/1', detail: 'unknown permission' },
    ]);
    const orphan = await post({ name: 'orphan', extends: 'nobody', permissions: [] });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json().errors[0].pointer).toBe('/extends');
  });

  it('refuses an inheritance cycle and changes nothing', async () => {
    const a = (await post({ name: 'cyc-a', permissions: ['jobs:read'] })).json();
    const b = (await post({ name: 'cyc-b', extends: 'cyc-a', permissions: [] })).json();
    const res = await patch(a.id, { extends: 'cyc-b' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'role_inheritance_invalid', errors: [{ pointer: '/extends' }] });
    expect((await get(`/v1/roles/${a.id}`)).json().extends).toBeNull();
    expect((await patch(b.id, { extends: 'cyc-b' })).json().code).toBe('role_inheritance_invalid');
  });

  it('changes a role and reports the effective permission change in the audit event', async () => {
    const r = (await post({ name: 'tweak', permissions: ['jobs:read'] })).json();
    const res = await patch(r.id, { permissions: ['jobs:read', 'servers:list'], description: 'now lists' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      description: 'now lists',
      effectivePermissions: ['servers:list', 'jobs:read'],
    });
    const data = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('data')
        .where('target_id', '=', r.id)
        .where('action', '=', 'role.updated')
        .executeTakeFirstOrThrow(),
    );
    expect(data.data).toMatchObject({ permissionsAdded: ['servers:list'], permissionsRemoved: [] });
  });

  it('refuses to delete a role that is assigned or extended, then deletes it once free', async () => {
    const parent = (await post({ name: 'in-use', permissions: ['jobs:read'] })).json();
    const child = (await post({ name: 'in-use-child', extends: 'in-use', permissions: [] })).json();
    const held = await userWithRoles(t.sc, t.orgId, 'holder@example.com', ['in-use']);
    const res = await del(parent.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'role_in_use' });
    expect(res.json().detail).toBe(
      'The role "in-use" is assigned to 1 principal and extended by "in-use-child"; change those first.',
    );
    await del(child.id);
    await t.app.inject({
      method: 'PUT',
      url: `/v1/users/${held.id}/roles`,
      headers: t.auth,
      payload: { roles: [] },
    });
    expect((await del(parent.id)).statusCode).toBe(204);
    expect((await get(`/v1/roles/${parent.id}`)).json().code).toBe('role_not_found');
    expect(await auditActions(parent.id)).toEqual(['role.created', 'role.deleted']);
  });
});

describe('who may change roles', () => {
  it('a user whose roles lack roles:write gets 403 naming the permission', async () => {
    const eng = await userWithRoles(t.sc, t.orgId, 'eng@example.com', ['engineer']);
    const res = await post({ name: 'nope', permissions: [] }, eng.as());
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/roles:write/);
  });

  it('an admin cannot create or widen a role with permissions they lack; the 403 names them', async () => {
    const res = await post(
      { name: 'sso-admin', extends: 'viewer', permissions: ['sso:write', 'audit:read'] },
      admin.as(),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'forbidden',
      detail:
        'You cannot create the role "sso-admin": it carries permissions you do not have yourself: sso:write.',
    });
    const own = (await post({ name: 'admin-made', permissions: ['audit:read'] }, admin.as())).json();
    const widen = await patch(own.id, { extends: 'owner' }, admin.as());
    expect(widen.statusCode).toBe(403);
    expect(widen.json().detail).toMatch(/sso:write/);
  });

  it('an admin cannot change a role that carries permissions they lack, even to narrow it', async () => {
    const ssoRole = (await post({ name: 'sso-keeper', permissions: ['sso:write'] })).json();
    const res = await patch(ssoRole.id, { permissions: [] }, admin.as());
    expect(res.statusCode).toBe(403);
    expect((await del(ssoRole.id, admin.as())).statusCode).toBe(403);
  });

  it('a person whose sign-in is older than 10 minutes must step up; an admin API key need not', async () => {
    const stale = admin.as({ authTime: new Date(Date.now() - 11 * 60_000) });
    const res = await post({ name: 'late', permissions: [] }, stale);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('step_up_required');
    expect(res.json().detail).toMatch(/sign in again/i);
    expect((await get('/v1/roles', stale)).statusCode).toBe(200);
    expect((await post({ name: 'late', permissions: [] }, admin.as())).statusCode).toBe(201);
    expect((await post({ name: 'by-key', permissions: ['sso:write'] })).statusCode).toBe(201);
  });

  it('a key narrowed to roles:admin may only create roles within roles:*', async () => {
    const key = await t.keyWithScopes(['roles:admin']);
    const auth = { authorization: `Bearer ${key}` };
    expect((await post({ name: 'roles-only', permissions: ['roles:read'] }, auth)).statusCode).toBe(201);
    const res = await post({ name: 'too-much', permissions: ['servers:delete'] }, auth);
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/servers:delete/);
  });
});
