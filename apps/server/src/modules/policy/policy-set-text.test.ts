import { describe, expect, it } from 'vitest';
import { createDecisionPoint } from './decision-point.ts';
import { withOwnerRail } from './owner-rail.ts';
import { compileOrgPolicySet, policySetVersion } from './policy-set.ts';
import { rolePolicies } from './role-policies.ts';

/** The text of an org's policy set as it is built and versioned, before any decision (ADR 0013). */
describe('the version of a policy set', () => {
  it('does not depend on the order the policies were listed in', () => {
    const a = policySetVersion({ 'org/a': 'x', 'org/b': 'y', 'org/c': 'z' });
    expect(policySetVersion({ 'org/c': 'z', 'org/a': 'x', 'org/b': 'y' })).toBe(a);
  });

  it('frames every id and text, so moving characters between an id and a text changes it', () => {
    expect(policySetVersion({ a: 'bc' })).not.toBe(policySetVersion({ ab: 'c' }));
    expect(policySetVersion({ a: 'b', c: 'd' })).not.toBe(policySetVersion({ a: 'bc\0d' }));
  });
});

describe('role policies', () => {
  it('grant only catalogue permissions: an unknown permission in stored data is left out, not loaded', () => {
    const out = rolePolicies([
      { name: 'r', extendsName: null, permissions: ['servers:list', 'root:everything'] },
      { name: 'empty', extendsName: null, permissions: ['root:everything'] },
    ]);
    expect(Object.keys(out)).toEqual(['role/r']);
    expect(out['role/r']).toContain('SprintConnect::Action::"servers:list"');
    expect(out['role/r']).not.toContain('root:everything');
  });

  it('a role with an unknown permission in stored data still compiles into a set', () => {
    const r = compileOrgPolicySet(createDecisionPoint().pdp.engine, {
      orgId: 'o1',
      timeZone: 'UTC',
      roles: [{ name: 'r', extendsName: null, permissions: ['servers:list', 'root:everything'] }],
      policies: [],
    });
    expect(r).toMatchObject({ ok: true });
  });
});

describe('every id in a loaded set is namespaced', () => {
  it('system/, role/ or org/, safe mode included, so an org policy can never replace a system one', () => {
    const r = compileOrgPolicySet(createDecisionPoint().pdp.engine, {
      orgId: 'o1',
      timeZone: 'UTC',
      roles: [{ name: 'admin', extendsName: null, permissions: ['policies:read'] }],
      policies: [{ name: 'stale', text: 'forbid (principal, action, resource) when { resource.gone };' }],
    });
    if (!r.ok) throw new Error('safe mode did not compile');
    expect(r.problems).toBeDefined();
    for (const id of Object.keys(r.handle.policies)) expect(id).toMatch(/^(system|role)\/./);
  });
});

describe('the owners’ rail on the text', () => {
  it('adds an unless clause for owners reading or changing policies to a forbid', () => {
    const railed = withOwnerRail('forbid (principal, action, resource);');
    expect(railed).toContain('unless');
    expect(railed).toContain('SprintConnect::Role::"owner"');
    expect(railed).toContain('SprintConnect::Action::"policies:read"');
    expect(railed).toContain('SprintConnect::Action::"policies:write"');
  });

  it('leaves a permit exactly as the org wrote it', () => {
    const permit = 'permit (principal, action, resource) when { context.mfa };';
    expect(withOwnerRail(permit)).toBe(permit);
  });

  it('leaves text that does not parse as it is, for validation to report on what the org wrote', () => {
    const broken = 'forbid (principal, action resource';
    expect(withOwnerRail(broken)).toBe(broken);
  });
});
