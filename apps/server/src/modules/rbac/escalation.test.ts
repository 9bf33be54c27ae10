import { describe, expect, it } from 'vitest';
import { withoutPolicySet, withPolicySet } from '../../../test/policy-fixture.ts';
import { AppError } from '../../kernel/index.ts';
import { ALL_PERMISSIONS, type Authorizer, type Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { BUILT_IN_ROLES } from './built-in-roles.ts';
import { assertWithinHeld, lacking } from './escalation.ts';

const heldPermissions = (authz: Authorizer) => authz.held();

import { effectivePermissions, type RoleNode } from './role-graph.ts';

const builtIns = new Map<string, RoleNode>(
  BUILT_IN_ROLES.map((r) => [r.name, { id: r.name, extendsId: r.extends, permissions: r.permissions }]),
);
const permsOf = (role: string) => effectivePermissions(builtIns, role);
const userWith = (permissions: readonly Permission[], extra: Partial<Principal> = {}): Authorizer =>
  withPolicySet(
    {
      kind: 'user',
      id: 'u',
      orgId: 'o',
      name: 'u',
      scopes: [],
      roles: ['r'],
      authMethod: 'session',
      permissions,
      ...extra,
    },
    { roles: { r: { permissions } } },
  );

function refusal(fn: () => void): AppError<string> {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('no escalation', () => {
  it('an admin cannot grant owner, and the problem names the permission they lack', () => {
    const admin = userWith(permsOf('admin'));
    const e = refusal(() => assertWithinHeld(admin, 'grant the role "owner"', permsOf('owner')));
    expect(e.code).toBe('forbidden');
    expect(e.detail).toBe(
      'You cannot grant the role "owner": it carries permissions you do not have yourself: sso:write.',
    );
  });

  it('an admin can grant every role below them; an owner can grant everything', () => {
    const admin = userWith(permsOf('admin'));
    for (const r of ['admin', 'engineer', 'analyst', 'viewer']) {
      expect(() => assertWithinHeld(admin, `grant ${r}`, permsOf(r))).not.toThrow();
    }
    expect(() => assertWithinHeld(userWith(permsOf('owner')), 'grant owner', ALL_PERMISSIONS)).not.toThrow();
  });

  it('the refusal names every missing permission, comma-separated in catalogue order', () => {
    const engineer = userWith(permsOf('engineer'));
    const e = refusal(() => assertWithinHeld(engineer, 'do it', ['audit:read', 'sso:write']));
    expect(e.detail).toBe(
      'You cannot do it: it carries permissions you do not have yourself: sso:write, audit:read.',
    );
  });

  it('lists every missing permission, in catalogue order', () => {
    const engineer = userWith(permsOf('engineer'));
    expect(lacking(heldPermissions(engineer), ['audit:read', 'servers:create', 'sso:write'])).toEqual([
      'sso:write',
      'audit:read',
    ]);
  });

  it('a token-scoped user holds only what both the roles and the scopes allow', () => {
    const narrowed = userWith(permsOf('owner'), { authMethod: 'bearer_jwt', scopes: ['read'] });
    expect(heldPermissions(narrowed)).not.toContain('roles:write');
    expect(heldPermissions(narrowed)).toContain('servers:read');
  });

  it('an API key holds what its scopes grant: an admin key everything, a roles:admin key only roles', () => {
    const key = (scopes: string[]): Authorizer =>
      withPolicySet({
        kind: 'api_key',
        id: 'k',
        orgId: 'o',
        name: 'k',
        scopes,
        roles: [],
        authMethod: 'api_key',
      });
    expect(heldPermissions(key(['admin']))).toEqual(ALL_PERMISSIONS);
    expect(heldPermissions(key(['roles:admin']))).toEqual(['roles:read', 'roles:write']);
  });

  it('a principal without a policy set holds nothing, whatever its roles (fail closed)', () => {
    const bare = withoutPolicySet(userWith(permsOf('owner')).principal);
    expect(heldPermissions(bare)).toEqual([]);
  });
});
