import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { eventually, startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { announceAccessChange } from './permission-resolver.ts';

/**
 * Story 1.3: "a user's role changes ... their permissions are updated in real-time without requiring re-login",
 * across replicas. Two SprintConnect processes on one database; a change made through one must be seen by the
 * other's permission cache within one second (LISTEN/NOTIFY), while cache hits cost no database round trip.
 */
let t: TestApp;
let second: Awaited<ReturnType<typeof startSecondApp>>;
beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  second = await startSecondApp(t, { extraAuthenticators: [testPrincipalAuthenticator] });
  await eventually(
    async () =>
      t.sc.rbac.permissions.stats().listening && second.sc.rbac.permissions.stats().listening
        ? true
        : undefined,
    10_000,
    'both processes listening',
  );
});
afterAll(async () => {
  await second.stop();
  await t.stop();
});

/**
 * Waits until the second process has handled every notification committed so far. Notifications are
 * delivered in commit order, so once a sentinel sent now has dropped a sentinel entry, all earlier ones
 * (those of the test's own setup) have been handled too.
 */
async function settle(): Promise<void> {
  const org = uuidv7();
  const who = { type: 'user', id: uuidv7() } as const;
  await second.sc.rbac.permissions.resolve(org, who);
  await withTenant(t.database.db, org, (tx) => announceAccessChange(tx, org));
  await eventually(
    async () => {
      const loads = second.sc.rbac.permissions.stats().loads;
      await second.sc.rbac.permissions.resolve(org, who);
      return second.sc.rbac.permissions.stats().loads > loads ? true : undefined;
    },
    5000,
    'the sentinel notification',
  );
}

/** The second process's answer, cached there (the next resolve is a hit). */
async function warm(orgId: string, who: { type: 'user'; id: string }) {
  await settle();
  const grant = await second.sc.rbac.permissions.resolve(orgId, who);
  const hits = second.sc.rbac.permissions.stats().hits;
  expect(await second.sc.rbac.permissions.resolve(orgId, who)).toBe(grant);
  expect(second.sc.rbac.permissions.stats().hits).toBe(hits + 1);
  return grant;
}

/** Polls `check` until it holds, failing if that takes longer than `ms` after `since`. */
async function within(ms: number, since: number, check: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await check()) return Date.now() - since;
    if (Date.now() - since > ms) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('role changes across processes', () => {
  it('a cached permission lookup costs no database round trip', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'cached@example.com', ['viewer']);
    const who = { type: 'user', id: u.id } as const;
    await warm(t.orgId, who);
    const before = second.sc.rbac.permissions.stats();
    const again = await second.sc.rbac.permissions.resolve(t.orgId, who);
    const after = second.sc.rbac.permissions.stats();
    expect(again.roles).toEqual(['viewer']);
    expect(after.loads).toBe(before.loads);
    expect(after.hits).toBe(before.hits + 1);
  });

  it('assigning a role in one process reaches the other within one second, without a new sign-in', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'moving@example.com', ['viewer']);
    const who = { type: 'user', id: u.id } as const;
    // Warm the second process's cache so the test proves invalidation, not a cold read.
    expect((await warm(t.orgId, who)).permissions).not.toContain('servers:create');

    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/users/${u.id}/roles`,
      headers: t.auth,
      payload: { roles: ['engineer'] },
    });
    expect(res.statusCode).toBe(200);
    const changedAt = Date.now();
    await within(1000, changedAt, async () =>
      (await second.sc.rbac.permissions.resolve(t.orgId, who)).permissions.includes('servers:create'),
    );
    const viaSecond = await second.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: u.as(),
      payload: { name: 'from-second', url: 'https://mcp.example.com/mcp', autoDiscover: false },
    });
    expect(viaSecond.statusCode).toBe(201);
  });

  it('changing a custom role’s permissions in one process reaches holders in the other within one second', async () => {
    // Outside a request, a caller gets its authorizer from the policy module, as the auth hook does.
    const admin = await t.sc.policy.authorizerFor({
      kind: 'api_key' as const,
      id: 'k',
      orgId: t.orgId,
      name: 'k',
      scopes: ['admin'],
      roles: [],
      authMethod: 'api_key' as const,
    });
    const role = await t.sc.rbac.roles.create(admin, undefined, {
      name: 'auditors',
      permissions: ['jobs:read'],
    });
    const u = await userWithRoles(t.sc, t.orgId, 'auditor@example.com', ['auditors']);
    const who = { type: 'user', id: u.id } as const;
    expect((await warm(t.orgId, who)).permissions).toEqual(['jobs:read']);

    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/roles/${role.id}`,
      headers: t.auth,
      payload: { permissions: ['audit:read'] },
    });
    expect(res.statusCode).toBe(200);
    await within(1000, Date.now(), async () => {
      const p = (await second.sc.rbac.permissions.resolve(t.orgId, who)).permissions;
      return p.includes('audit:read') && !p.includes('jobs:read');
    });
  });

  it('a change in one org leaves the other process’s cache for other orgs in place', async () => {
    const other = await t.newOrg('realtime-other');
    const a = await userWithRoles(t.sc, t.orgId, 'stay@example.com', ['viewer']);
    const b = await userWithRoles(t.sc, other.orgId, 'change@example.com', ['viewer']);
    await warm(t.orgId, { type: 'user', id: a.id });
    await t.app.inject({
      method: 'PUT',
      url: `/v1/users/${b.id}/roles`,
      headers: other.auth,
      payload: { roles: ['analyst'] },
    });
    await within(1000, Date.now(), async () =>
      (await second.sc.rbac.permissions.resolve(other.orgId, { type: 'user', id: b.id })).roles.includes(
        'analyst',
      ),
    );
    const before = second.sc.rbac.permissions.stats();
    await second.sc.rbac.permissions.resolve(t.orgId, { type: 'user', id: a.id });
    expect(second.sc.rbac.permissions.stats().loads).toBe(before.loads);
  });
});
