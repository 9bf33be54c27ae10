import { describe, expect, it } from 'vitest';
import type { Action, Authorizer, Resource } from '../authz/index.ts';
import { createDecisionPoint } from './decision-point.ts';
import {
  compileOrgPolicySet,
  type PolicySetHandle,
  policySetVersion,
  SAFE_MODE_POLICY_ID,
} from './policy-set.ts';

const decisions = createDecisionPoint();
const policyEngine = () => decisions.pdp.engine;
const authorize = (a: Authorizer, action: Action, r: Resource) => a.decide(action, r);

const source = (policies: { name: string; text: string }[]) => ({
  orgId: 'o1',
  timeZone: 'UTC',
  roles: [
    { name: 'admin', extendsName: null, permissions: ['servers:list', 'policies:read', 'policies:write'] },
  ],
  policies,
});
const admin = (set: PolicySetHandle): Authorizer =>
  decisions.authorizer(
    { kind: 'user', id: 'u1', orgId: 'o1', name: 'a', scopes: [], roles: ['admin'], authMethod: 'session' },
    { set, at: new Date() },
  );
const org = { type: 'org', orgId: 'o1' } as const;

describe('an org policy set', () => {
  it('changes version exactly when its text changes', () => {
    const a = policySetVersion({ x: 'permit (principal, action, resource);' });
    expect(policySetVersion({ x: 'permit (principal, action, resource);' })).toBe(a);
    expect(policySetVersion({ x: 'forbid (principal, action, resource);' })).not.toBe(a);
    expect(policySetVersion({ y: 'permit (principal, action, resource);' })).not.toBe(a);
  });

  it('runs in safe mode when the org’s own policies no longer validate: only policy reads and fixes are allowed', () => {
    const r = compileOrgPolicySet(
      policyEngine(),
      source([
        { name: 'stale', text: 'forbid (principal, action, resource) when { resource.retired == true };' },
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.problems?.[0]).toMatchObject({ policyId: 'org/stale', line: 1 });
    expect(Object.keys(r.handle.policies)).toContain(SAFE_MODE_POLICY_ID);
    expect(authorize(admin(r.handle), 'servers:list', org)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('do not validate'),
    });
    expect(authorize(admin(r.handle), 'policies:write', org).allowed).toBe(true);
  });

  it('compiles a valid set without safe mode, and the org’s policy takes part in decisions', () => {
    const r = compileOrgPolicySet(
      policyEngine(),
      source([
        {
          name: 'no-lists',
          text: 'forbid (principal, action == SprintConnect::Action::"servers:list", resource);',
        },
      ]),
    );
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.problems).toBeUndefined();
    expect(authorize(admin(r.handle), 'servers:list', org)).toMatchObject({
      allowed: false,
      reasons: ['org/no-lists'],
    });
  });
});

describe('the owners’ rail', () => {
  const owner = (set: PolicySetHandle): Authorizer =>
    decisions.authorizer(
      { kind: 'user', id: 'o', orgId: 'o1', name: 'o', scopes: [], roles: ['owner'], authMethod: 'session' },
      { set, at: new Date() },
    );
  const compiled = () => {
    const r = compileOrgPolicySet(policyEngine(), {
      orgId: 'o1',
      timeZone: 'UTC',
      roles: [
        {
          name: 'admin',
          extendsName: null,
          permissions: ['servers:list', 'policies:read', 'policies:write'],
        },
        { name: 'owner', extendsName: 'admin', permissions: [] },
      ],
      policies: [{ name: 'deny-all', text: '@reason("frozen")\nforbid (principal, action, resource);' }],
    });
    if (!r.ok) throw new Error('does not compile');
    return r.handle;
  };

  it('lets owners read and change policies whatever the org forbids, and nothing else', () => {
    const set = compiled();
    expect(authorize(owner(set), 'policies:write', org).allowed).toBe(true);
    expect(authorize(owner(set), 'policies:read', org).allowed).toBe(true);
    expect(authorize(owner(set), 'servers:list', org)).toMatchObject({ allowed: false, reason: 'frozen' });
  });

  it('does not extend to admins: a deny-all forbids them policy changes too', () => {
    expect(authorize(admin(compiled()), 'policies:write', org).allowed).toBe(false);
  });
});
