import { describe, expect, it } from 'vitest';
import { withoutPolicySet, withPolicySet } from '../../../test/policy-fixture.ts';
import { AppError } from '../../kernel/index.ts';
import type { Action, Authorizer, Permission, Resource } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';

const authorize = (a: Authorizer, action: Action, r: Resource) => a.decide(action, r);
const assertAllowed = (a: Authorizer, action: Action, r: Resource) => a.assert(action, r);

const bareKey = (scopes: string[]): Principal => ({
  kind: 'api_key',
  id: 'k',
  orgId: 'o1',
  name: 'k',
  scopes,
  roles: [],
  authMethod: 'api_key',
});
const key = (scopes: string[]) => withPolicySet(bareKey(scopes));
const org = { type: 'org', orgId: 'o1' } as const;

describe('authorize: API keys by their scopes, decided by Cedar', () => {
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
    const d = authorize(key(['admin']), 'servers:read', { type: 'server', orgId: 'o2', id: 's' });
    expect(d).toMatchObject({ allowed: false, reasons: ['system/tenancy'] });
  });

  it('denies unknown scope words (fail closed)', () => {
    expect(authorize(key(['superuser']), 'servers:read', org).allowed).toBe(false);
  });

  it('maps API-key levels onto permissions (roles:write needs admin)', () => {
    expect(authorize(key(['write']), 'roles:write', org).allowed).toBe(false);
    expect(authorize(key(['roles:admin']), 'roles:write', org).allowed).toBe(true);
    expect(authorize(key(['roles:admin']), 'users:read', org).allowed).toBe(false);
    expect(authorize(key(['read']), 'audit:read', org).allowed).toBe(true);
  });
});

const bareUser = (extra: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  id: 'u1',
  orgId: 'o1',
  name: 'u',
  scopes: [],
  roles: ['r'],
  authMethod: 'session',
  ...extra,
});
const user = (permissions: Permission[], extra: Partial<Principal> = {}) =>
  withPolicySet(bareUser(extra), { roles: { r: { permissions } } });

describe('authorize: users and clients by the policies of their roles', () => {
  it('allows a user exactly the permissions their role policies grant', () => {
    const u = user(['servers:list', 'servers:read']);
    const d = authorize(u, 'servers:list', org);
    expect(d).toMatchObject({ allowed: true, reasons: ['role/r'] });
    expect(authorize(u, 'servers:create', org)).toMatchObject({ allowed: false, required: 'servers:create' });
  });

  it('follows role inheritance: a role that extends another has its permissions through the hierarchy', () => {
    const u = withPolicySet(bareUser({ roles: ['child'] }), {
      roles: {
        base: { permissions: ['servers:list'] },
        child: { permissions: ['servers:create'], extends: 'base' },
      },
    });
    expect(authorize(u, 'servers:list', org)).toMatchObject({ allowed: true, reasons: ['role/base'] });
    expect(authorize(u, 'servers:create', org)).toMatchObject({ allowed: true, reasons: ['role/child'] });
    expect(authorize(u, 'servers:delete', org).allowed).toBe(false);
  });

  it('denies a principal that reached authorize without a policy set (fail closed)', () => {
    const d = authorize(withoutPolicySet(bareUser()), 'servers:list', org);
    expect(d.allowed).toBe(false);
    expect(d).toMatchObject({ reason: expect.stringContaining('no policy set') });
  });

  it('denies when the policy set attached is another org’s', () => {
    const other = withPolicySet(bareUser(), {
      roles: { r: { permissions: ['servers:list'] } },
      setOrgId: 'o2',
    });
    expect(authorize(other, 'servers:list', org).allowed).toBe(false);
  });

  it('narrows a token-authenticated user to the intersection of role permissions and token scopes', () => {
    const u = user(['servers:list', 'servers:create'], {
      authMethod: 'bearer_jwt',
      scopes: ['servers:read'],
    });
    expect(authorize(u, 'servers:list', org).allowed).toBe(true);
    expect(authorize(u, 'servers:create', org)).toMatchObject({
      allowed: false,
      reasons: ['system/token-scopes'],
    });
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

  it('treats OAuth clients like users: role policies narrowed by the token scopes', () => {
    const c = user(['jobs:read'], { kind: 'client', authMethod: 'bearer_jwt', scopes: ['read'] });
    expect(authorize(c, 'jobs:read', org).allowed).toBe(true);
    const unscoped = user(['jobs:read'], { kind: 'client', authMethod: 'bearer_jwt', scopes: [] });
    expect(authorize(unscoped, 'jobs:read', org).allowed).toBe(false);
  });

  it('denies users a resource of another org even with every permission', () => {
    const d = authorize(user(['servers:read']), 'servers:read', { type: 'server', orgId: 'o2', id: 's' });
    expect(d.allowed).toBe(false);
  });

  it('denies an action it does not know and a kind of caller it does not know', () => {
    expect(authorize(user(['servers:read']), 'servers:nuke' as never, org).allowed).toBe(false);
    const robot = withPolicySet(bareUser({ kind: 'robot' as never }), {
      roles: { r: { permissions: ['servers:read'] } },
    });
    expect(authorize(robot, 'servers:read', org).allowed).toBe(false);
  });
});

describe('authorize: org policies, obligations and the decision log', () => {
  const server = (environment: string) =>
    ({ type: 'server', orgId: 'o1', id: 's1', server: { name: 'crm', environment, tags: ['crm'] } }) as const;

  it('lets an org forbid what a role permits (forbid wins), naming the policy’s reason', () => {
    const u = withPolicySet(bareUser(), {
      roles: { r: { permissions: ['servers:read'] } },
      policies: {
        'no-pci': `@reason("PCI servers are for the payments team")
forbid (principal, action, resource is SprintConnect::Server) when { resource.tags.contains("pci") };`,
      },
    });
    const tagged = (tags: string[]) =>
      ({
        type: 'server',
        orgId: 'o1',
        id: 's1',
        server: { name: 'crm', environment: 'staging', tags },
      }) as const;
    expect(authorize(u, 'servers:read', tagged(['crm'])).allowed).toBe(true);
    expect(authorize(u, 'servers:read', tagged(['crm', 'pci']))).toMatchObject({
      allowed: false,
      reasons: ['org/no-pci'],
      reason: 'PCI servers are for the payments team',
    });
  });

  it('applies time-of-day rules in the org’s time zone', () => {
    const rule = `forbid (principal, action, resource) when { context.time.hour < 9 || context.time.hour >= 17 };`;
    const at = new Date('2026-11-25T15:00:00Z'); // 10:00 in New York, 16:00 in Berlin... 00:00 in Tokyo
    const inZone = (timeZone: string) =>
      withPolicySet(bareUser(), {
        roles: { r: { permissions: ['servers:list'] } },
        policies: { hours: rule },
        timeZone,
        at,
      });
    expect(authorize(inZone('America/New_York'), 'servers:list', org).allowed).toBe(true);
    expect(authorize(inZone('Asia/Tokyo'), 'servers:list', org).allowed).toBe(false);
  });

  it('carries the obligations annotated on the permitting policies', () => {
    const u = withPolicySet(bareUser(), {
      policies: {
        'analysts-redacted': `@obligation_redact("url,description")
@obligation_throttle("expensive")
permit (principal, action == SprintConnect::Action::"servers:read", resource);`,
      },
    });
    expect(authorize(u, 'servers:read', server('staging'))).toMatchObject({
      allowed: true,
      obligations: { redact: ['url', 'description'], throttle: 'expensive' },
    });
  });

  it('denies when a policy fails to evaluate, even if another permits (errors are denials)', () => {
    const u = withPolicySet(bareUser(), {
      roles: { r: { permissions: ['servers:read'] } },
      // 2^62 * 4 overflows: an evaluation error, not a false condition
      policies: { overflow: `forbid (principal, action, resource) when { 4611686018427387904 * 4 == 0 };` },
    });
    const d = authorize(u, 'servers:read', org);
    expect(d).toMatchObject({ allowed: false, reason: expect.stringContaining('could not decide') });
  });

  it('logs every decision with its id, policy-set version, input hash, result, reasons and latency', () => {
    const entries: Record<string, unknown>[] = [];
    const u = withPolicySet(bareUser(), {
      roles: { r: { permissions: ['servers:list'] } },
      log: (e) => entries.push({ ...e }),
    });
    const allowed = authorize(u, 'servers:list', org);
    const denied = authorize(u, 'servers:create', org);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      decisionId: allowed.decisionId,
      allowed: true,
      reasons: ['role/r'],
      action: 'servers:list',
      policySetVersion: expect.stringMatching(/^[0-9a-f]{16}$/),
      inputHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      latencyMs: expect.any(Number),
    });
    expect(entries[1]).toMatchObject({ decisionId: denied.decisionId, allowed: false });
    expect(entries[0]?.inputHash).not.toBe(entries[1]?.inputHash);
  });

  it('answers a question asked again from the decision memo, with its own decision id, and never across sets', () => {
    const entries: Record<string, unknown>[] = [];
    const at = new Date('2026-11-25T10:00:00Z');
    const make = (permissions: Permission[]) =>
      withPolicySet(bareUser({ id: `memo-${permissions.length}` }), {
        roles: { r: { permissions } },
        at,
        log: (e) => entries.push({ ...e }),
      });
    const u = make(['servers:list']);
    const first = authorize(u, 'servers:list', org);
    const again = authorize(u, 'servers:list', org);
    expect(entries.map((e) => e.cached)).toEqual([false, true]);
    expect(again.decisionId).not.toBe(first.decisionId);
    expect(again).toMatchObject({ allowed: true, reasons: ['role/r'] });
    // the same principal on a set where the role lost the permission: a new set id, a fresh evaluation
    const changed = withPolicySet(u.principal, {
      roles: { r: { permissions: ['servers:read'] } },
      at,
      log: (e) => entries.push({ ...e }),
    });
    expect(authorize(changed, 'servers:list', org).allowed).toBe(false);
    expect(entries[2]?.cached).toBe(false);
  });

  it('answers a denial with a 403 problem carrying the decision id', () => {
    const u = user(['servers:list']);
    try {
      assertAllowed(u, 'servers:delete', org);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.code).toBe('forbidden');
      expect(err.extensions?.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('assertAllowed: the insufficient_scope challenge (RFC 6750 §3.1, RFC 9449 §7.1)', () => {
  const refusal = (p: Authorizer, action: Permission) => {
    try {
      assertAllowed(p, action, org);
    } catch (e) {
      return e as AppError;
    }
    throw new Error('allowed');
  };

  it('challenges a DPoP-bound token with the DPoP scheme and the scope it lacks', () => {
    const p = withPolicySet(bareUser({ authMethod: 'dpop_jwt', scopes: ['read'] }), {
      roles: { r: { permissions: ['servers:create'] } },
    });
    expect(refusal(p, 'servers:create').headers?.['www-authenticate']).toBe(
      'DPoP error="insufficient_scope", error_description="The credential lacks a scope for this request", scope="servers:write"',
    );
  });

  it('does not challenge a session, whose scopes are not what refused it', () => {
    const p = withPolicySet(bareUser({ authMethod: 'session' }), { roles: { r: { permissions: [] } } });
    expect(refusal(p, 'servers:create').headers?.['www-authenticate']).toBeUndefined();
  });
});
