import { describe, expect, it } from 'vitest';
import {
  type FixtureAuthorizer,
  fixtureDecisionPoint,
  withoutPolicySet,
  withPolicySet,
} from '../../../test/policy-fixture.ts';
import type { Action, Authorizer, Permission, Resource } from '../authz/index.ts';
import { BUILT_IN_ROLES } from '../rbac/index.ts';
import { holds, TRUE } from './residual-filter.ts';

type Principal = FixtureAuthorizer;
const authorize = (a: Authorizer, action: Action, r: Resource) => a.decide(action, r);
const serverScope = (a: FixtureAuthorizer, action: Permission) =>
  fixtureDecisionPoint().filter.scope(a, action);
const serverFilterStats = () => fixtureDecisionPoint().filter.stats();

const ORG = '0190b8a4-0000-7000-8000-00000000f001';
const roles = Object.fromEntries(
  BUILT_IN_ROLES.map((r) => [
    r.name,
    { permissions: r.permissions, ...(r.extends ? { extends: r.extends } : {}) },
  ]),
);
const user = (role: string, policies: Record<string, string> = {}, at = new Date('2026-03-02T12:00:00Z')) =>
  withPolicySet(
    {
      kind: 'user',
      id: `u-${role}`,
      orgId: ORG,
      name: 'u',
      scopes: [],
      roles: [role],
      authMethod: 'session',
    },
    { roles, policies, at, timeZone: 'Europe/Berlin' },
  );
const key = (scopes: string[]) =>
  withPolicySet(
    {
      kind: 'api_key',
      id: `k-${scopes.join('-')}`,
      orgId: ORG,
      name: 'k',
      scopes,
      roles: [],
      authMethod: 'api_key',
    },
    { roles },
  );

const NS = 'SprintConnect';
const POLICIES = {
  'no-delete-repo': `forbid (principal, action, resource is ${NS}::Capability) when { resource.name == "delete_repo" };`,
  'no-secret': `forbid (principal, action, resource is ${NS}::Server) unless { !resource.tags.contains("secret") };`,
  pinned: `forbid (principal, action, resource is ${NS}::Capability) when { resource in ${NS}::Server::"0190b8a4-0000-7000-8000-000000000010" && resource.kind == "prompt" };`,
  'not-s21': `forbid (principal, action, resource is ${NS}::Server) when { resource == ${NS}::Server::"0190b8a4-0000-7000-8000-000000000021" || resource.name == "s22" };`,
  'business-hours': `forbid (principal in ${NS}::Role::"viewer", action, resource is ${NS}::Server)
    when { resource.tags.contains("office") && (context.time.hour < 9 || context.time.hour >= 17) };`,
};

const servers = ['development', 'staging', 'production'].flatMap((environment, i) =>
  [[], ['secret'], ['office'], ['office', 'secret']].map((tags, j) => ({
    id: `0190b8a4-0000-7000-8000-0000000000${i}${j}`,
    name: `s${i}${j}`,
    environment,
    tags,
  })),
);
const capabilities = [
  { kind: 'tool', name: 'delete_repo' },
  { kind: 'tool', name: 'get_weather' },
  { kind: 'prompt', name: 'delete_repo' },
];

/** What the PDP says of one server with one capability: the action on both. */
function pdpAllows(p: Principal, s: (typeof servers)[number], c: (typeof capabilities)[number]) {
  const server = { name: s.name, environment: s.environment, tags: s.tags };
  const base = { orgId: ORG, server };
  return (
    authorize(p, 'search:query', { type: 'server', id: s.id, ...base }).allowed &&
    authorize(p, 'search:query', {
      type: 'capability',
      id: `${s.id}/${c.kind}/${c.name}`,
      ...base,
      capability: { serverId: s.id, ...c },
    }).allowed
  );
}

describe('serverScope: policy as a query filter (Cedar partial evaluation)', () => {
  const principals: [string, Principal][] = [
    ['a viewer (no production access) with org policies', user('viewer', POLICIES)],
    ['a viewer outside business hours', user('viewer', POLICIES, new Date('2026-03-02T20:00:00Z'))],
    ['an engineer with org policies', user('engineer', POLICIES)],
    ['an owner without org policies', user('owner')],
    ['a key scoped to search:query only', key(['search:query'])],
    ['a key with servers:read', key(['servers:read'])],
  ];

  it.each(principals)(
    'translates the residuals of %s into a filter that agrees with every PDP decision',
    (_, p) => {
      const scope = serverScope(p, 'search:query');
      expect(scope.mode).toBe('query');
      if (scope.mode !== 'query') return;
      for (const s of servers) {
        for (const c of capabilities) {
          const viaFilter = holds(scope.filter.server, s) && holds(scope.filter.capability, s, c);
          expect({ server: s.name, c, allowed: viaFilter }).toEqual({
            server: s.name,
            c,
            allowed: pdpAllows(p, s, c),
          });
        }
      }
    },
  );

  it('hides production from a principal without servers:production, and only then', () => {
    const viewer = serverScope(user('viewer'), 'search:query');
    const engineer = serverScope(user('engineer'), 'search:query');
    expect(viewer).toMatchObject({
      mode: 'query',
      filter: { server: { op: 'not', arg: { op: 'eq', attr: 'server.environment', value: 'production' } } },
    });
    expect(engineer).toMatchObject({ mode: 'query', filter: { server: TRUE, capability: TRUE } });
  });

  it("states a capability's condition assuming its server is shown: a viewer's production test is not repeated", () => {
    const viewer = serverScope(
      user('viewer', { 'no-delete-repo': POLICIES['no-delete-repo'] }),
      'search:query',
    );
    expect(viewer).toMatchObject({
      mode: 'query',
      filter: {
        server: { op: 'not', arg: { op: 'eq', attr: 'server.environment', value: 'production' } },
        capability: { op: 'not', arg: { op: 'eq', attr: 'capability.name', value: 'delete_repo' } },
      },
    });
  });

  it('computes the residual once per principal, policy set and minute, then reuses it', () => {
    const p = user('analyst', POLICIES);
    const before = serverFilterStats();
    serverScope(p, 'search:query');
    serverScope(p, 'search:query');
    serverScope(p, 'search:query');
    const after = serverFilterStats();
    expect(after.residuals - before.residuals).toBe(1);
    expect(after.residualHits - before.residualHits).toBe(2);
  });

  it('falls back to per-candidate PDP decisions when a residual cannot be a query, and agrees with them', () => {
    const p = user('viewer', {
      'no-admin-tools': `forbid (principal, action, resource is ${NS}::Capability) when { resource.name like "admin_*" };`,
    });
    const scope = serverScope(p, 'search:query');
    expect(scope.mode).toBe('batch');
    if (scope.mode !== 'batch') return;
    expect(scope.withholds).toBe(true);
    const dev = servers[0]!;
    const prod = servers[8]!;
    expect(scope.showsServer(dev)).toBe(true);
    expect(scope.showsCapability(dev, { kind: 'tool', name: 'get_weather' })).toBe(true);
    expect(scope.showsCapability(dev, { kind: 'tool', name: 'admin_reset' })).toBe(false);
    expect(scope.showsServer(prod)).toBe(false);
    const before = serverFilterStats();
    scope.showsCapability(dev, { kind: 'tool', name: 'admin_reset' });
    expect(serverFilterStats().decisionHits - before.decisionHits).toBe(1);
  });

  it('answers denied (nothing may be returned) when the request has no policy set', () => {
    const p = withoutPolicySet(user('owner').principal);
    expect(serverScope(p, 'search:query')).toMatchObject({ mode: 'denied' });
  });

  it('filters out everything for a key whose scopes do not cover servers', () => {
    const scope = serverScope(key(['jobs:read']), 'search:query');
    expect(scope).toMatchObject({ mode: 'query', filter: { server: { op: 'const', value: false } } });
  });
});
