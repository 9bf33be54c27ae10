import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/index.ts';
import { authorize } from './authorize.ts';

const key = (scopes: string[]): Principal => ({
  kind: 'api_key',
  id: 'k',
  orgId: 'o1',
  name: 'k',
  scopes,
  roles: [],
  authMethod: 'api_key',
});
const org = { type: 'org', orgId: 'o1' } as const;

describe('authorize (scope seam)', () => {
  it('lets a read key list servers but not create them', () => {
    expect(authorize(key(['read']), 'servers:list', org).allowed).toBe(true);
    const d = authorize(key(['read']), 'servers:create', org);
    expect(d).toMatchObject({ allowed: false, required: 'servers:write' });
  });

  it('treats admin as including write and read', () => {
    expect(authorize(key(['admin']), 'servers:create', org).allowed).toBe(true);
    expect(authorize(key(['admin']), 'jobs:read', org).allowed).toBe(true);
  });

  it('limits a resource-narrowed scope to its resource type', () => {
    expect(authorize(key(['servers:write']), 'servers:create', org).allowed).toBe(true);
    expect(authorize(key(['servers:write']), 'jobs:read', org).allowed).toBe(false);
  });

  it('denies any resource of another org, whatever the scopes', () => {
    expect(authorize(key(['admin']), 'servers:read', { type: 'server', orgId: 'o2', id: 's' }).allowed).toBe(
      false,
    );
  });

  it('denies unknown scope words (fail closed)', () => {
    expect(authorize(key(['superuser']), 'servers:read', org).allowed).toBe(false);
  });
});

const user = (permissions: string[] | undefined, extra: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  id: 'u1',
  orgId: 'o1',
  name: 'u',
  scopes: [],
  roles: ['r'],
  authMethod: 'session',
  ...(permissions !== undefined && { permissions }),
  ...extra,
});

describe('authorize (users and clients by role permissions)', () => {
  it('allows a user exactly the permissions their roles grant', () => {
    const u = user(['servers:list', 'servers:read']);
    expect(authorize(u, 'servers:list', org).allowed).toBe(true);
    expect(authorize(u, 'servers:create', org)).toMatchObject({ allowed: false, required: 'servers:create' });
  });

  it('denies a user whose permissions were never resolved (fail closed)', () => {
    expect(authorize(user(undefined), 'servers:list', org)).toMatchObject({
      allowed: false,
      reason: 'permissions were not resolved',
    });
  });

  it('ignores the scopes of an API key shape on a user: a session user is governed by roles alone', () => {
    expect(authorize(user([]), 'servers:list', org).allowed).toBe(false);
  });

  it('narrows a token-authenticated user to the intersection of role permissions and token scopes', () => {
    const u = user(['servers:list', 'servers:create'], {
      authMethod: 'bearer_jwt',
      scopes: ['servers:read'],
    });
    expect(authorize(u, 'servers:list', org).allowed).toBe(true);
    expect(authorize(u, 'servers:create', org)).toMatchObject({ allowed: false });
    // a scope never adds what the roles do not grant
    const admin = user(['servers:list'], { authMethod: 'dpop_jwt', scopes: ['admin'] });
    expect(authorize(admin, 'servers:delete', org).allowed).toBe(false);
  });

  it('gives a token with only OpenID scopes nothing, whatever the roles', () => {
    const u = user(['servers:list'], { authMethod: 'bearer_jwt', scopes: ['openid', 'email', 'profile'] });
    expect(authorize(u, 'servers:list', org).allowed).toBe(false);
  });

  it('accepts a scope equal to the permission name', () => {
    const u = user(['roles:write'], { authMethod: 'bearer_jwt', scopes: ['roles:write'] });
    expect(authorize(u, 'roles:write', org).allowed).toBe(true);
  });

  it('treats OAuth clients like users: role permissions narrowed by the token scopes', () => {
    const c = user(['jobs:read'], { kind: 'client', authMethod: 'bearer_jwt', scopes: ['read'] });
    expect(authorize(c, 'jobs:read', org).allowed).toBe(true);
    expect(authorize({ ...c, scopes: [] }, 'jobs:read', org).allowed).toBe(false);
  });

  it('denies users a resource of another org even with every permission', () => {
    expect(
      authorize(user(['servers:read']), 'servers:read', { type: 'server', orgId: 'o2', id: 's' }).allowed,
    ).toBe(false);
  });

  it('denies an action it does not know and a kind of caller it does not know', () => {
    expect(authorize(user(['servers:read']), 'servers:nuke' as never, org).allowed).toBe(false);
    expect(authorize(user(['servers:read'], { kind: 'robot' as never }), 'servers:read', org).allowed).toBe(
      false,
    );
  });

  it('maps API-key levels onto the new permissions (roles:write needs admin)', () => {
    expect(authorize(key(['write']), 'roles:write', org).allowed).toBe(false);
    expect(authorize(key(['roles:admin']), 'roles:write', org).allowed).toBe(true);
    expect(authorize(key(['roles:admin']), 'users:read', org).allowed).toBe(false);
    expect(authorize(key(['read']), 'audit:read', org).allowed).toBe(true);
  });
});
