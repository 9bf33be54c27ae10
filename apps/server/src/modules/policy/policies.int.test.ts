import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { eventually, startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

const FORBID_LIST = `@reason("listing servers is switched off")
forbid (principal, action == SprintConnect::Action::"servers:list", resource);`;

describe('org policies API (/v1/policies)', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof userWithRoles>>;
  let engineer: Awaited<ReturnType<typeof userWithRoles>>;
  let viewer: Awaited<ReturnType<typeof userWithRoles>>;

  beforeAll(async () => {
    t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
    owner = await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner']);
    engineer = await userWithRoles(t.sc, t.orgId, 'eng@example.com', ['engineer']);
    viewer = await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer']);
  });
  afterAll(async () => {
    await t.stop();
  });

  const post = (url: string, payload: unknown, headers = owner.as()) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

  it('creates, reads, lists with a cursor, changes and deletes a policy, each change a new numbered version', async () => {
    const before = (await t.app.inject({ url: '/v1/policies/versions', headers: owner.as() })).json();
    const base = before.items[0]?.version ?? 0;
    const a = await post('/v1/policies', {
      name: 'a-list-off',
      description: 'first',
      policy: FORBID_LIST,
      enabled: false,
    });
    expect(a.statusCode).toBe(201);
    expect(a.headers.location).toBe(`/v1/policies/${a.json().id}`);
    expect(a.json()).toMatchObject({ name: 'a-list-off', policyId: 'org/a-list-off', enabled: false });
    const b = await post('/v1/policies', {
      name: 'b-permit',
      policy: 'permit (principal, action == SprintConnect::Action::"servers:read", resource);',
    });
    expect(b.statusCode).toBe(201);

    const page1 = (await t.app.inject({ url: '/v1/policies?limit=1', headers: owner.as() })).json();
    expect(page1.items.map((p: { name: string }) => p.name)).toEqual(['a-list-off']);
    const page2 = (
      await t.app.inject({ url: `/v1/policies?limit=1&cursor=${page1.nextCursor}`, headers: owner.as() })
    ).json();
    expect(page2.items.map((p: { name: string }) => p.name)).toEqual(['b-permit']);
    expect(page2.nextCursor).toBeNull();

    const got = await t.app.inject({ url: `/v1/policies/${b.json().id}`, headers: engineer.as() });
    expect(got.json().policy).toContain('servers:read');

    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/policies/${b.json().id}`,
      headers: owner.as(),
      payload: { description: 'changed' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().description).toBe('changed');

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/policies/${b.json().id}`,
      headers: owner.as(),
    });
    expect(del.statusCode).toBe(204);
    expect(
      (await t.app.inject({ url: `/v1/policies/${b.json().id}`, headers: owner.as() })).json().code,
    ).toBe('policy_not_found');

    const versions = (await t.app.inject({ url: '/v1/policies/versions', headers: owner.as() })).json();
    expect(
      versions.items.slice(0, 4).map((v: { version: number; change: string }) => [v.version, v.change]),
    ).toEqual([
      [base + 4, 'policy.deleted'],
      [base + 3, 'policy.updated'],
      [base + 2, 'policy.created'],
      [base + 1, 'policy.created'],
    ]);
    expect(versions.items[0].createdBy).toMatch(/^user:/);
    expect(versions.items[0].policies.map((p: { name: string }) => p.name)).toEqual(['a-list-off']);
    expect(versions.items[1].hash).not.toBe(versions.items[0].hash);

    // Rolling back to the version with both policies writes them back as a new version.
    const restored = await post(`/v1/policies/versions/${base + 3}/restore`, undefined);
    expect(restored.statusCode).toBe(201);
    expect(restored.json()).toMatchObject({
      version: base + 5,
      change: 'policy.restored',
      restoredFrom: base + 3,
    });
    expect(restored.json().hash).toBe(versions.items[1].hash);
    const now = (await t.app.inject({ url: '/v1/policies', headers: owner.as() })).json();
    expect(now.items.map((p: { name: string; description: string }) => [p.name, p.description])).toEqual([
      ['a-list-off', 'first'],
      ['b-permit', 'changed'],
    ]);
    const audit = await t.database.adminPool.query(
      `SELECT action FROM audit_events WHERE org_id = $1 AND action LIKE 'policy.%' ORDER BY id`,
      [t.orgId],
    );
    expect(audit.rows.map((r) => r.action).slice(-5)).toEqual([
      'policy.created',
      'policy.created',
      'policy.updated',
      'policy.deleted',
      'policy.restored',
    ]);
    expect((await post('/v1/policies/versions/9999/restore', undefined)).json().code).toBe(
      'policy_version_not_found',
    );
  });

  it('refuses unparsable and schema-invalid text with 422 policy_invalid naming the policy, line and column, and saves nothing', async () => {
    const versionsBefore = (await t.app.inject({ url: '/v1/policies/versions', headers: owner.as() })).json()
      .items.length;
    const syntax = await post('/v1/policies', {
      name: 'broken',
      policy: 'permit (principal, action, resource)\nwhen { true ',
    });
    expect(syntax.statusCode).toBe(422);
    expect(syntax.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(syntax.json().code).toBe('policy_invalid');
    expect(syntax.json().errors.length).toBeGreaterThan(0);
    for (const e of syntax.json().errors) {
      expect(e).toMatchObject({
        pointer: '/policy',
        policy: 'broken',
        line: expect.any(Number),
        column: expect.any(Number),
      });
    }

    const schema = await post('/v1/policies', {
      name: 'no-such-attribute',
      policy:
        'forbid (principal, action, resource is SprintConnect::Server)\nwhen { resource.owner == "x" };',
    });
    expect(schema.statusCode).toBe(422);
    expect(schema.json().errors[0]).toMatchObject({ policy: 'no-such-attribute', line: 2 });
    expect(schema.json().errors[0].detail).toMatch(/owner/);

    const two = await post('/v1/policies', {
      name: 'two',
      policy: 'permit (principal, action, resource);\nforbid (principal, action, resource);',
    });
    expect(two.json().errors[0].detail).toMatch(/exactly one policy/);

    const obligation = await post('/v1/policies', {
      name: 'bad-redact',
      policy: '@obligation_redact("url,secret")\npermit (principal, action, resource);',
    });
    expect(obligation.statusCode).toBe(422);
    expect(obligation.json().errors[0]).toMatchObject({ policy: 'bad-redact', line: 1, column: 1 });
    expect(obligation.json().errors[0].detail).toMatch(/"secret"/);
    const throttle = await post('/v1/policies', {
      name: 'bad-throttle',
      policy: '@obligation_throttle("turbo")\npermit (principal, action, resource);',
    });
    expect(throttle.json().errors[0].detail).toMatch(/unknown class "turbo"/);

    const names = (await t.app.inject({ url: '/v1/policies', headers: owner.as() }))
      .json()
      .items.map((p: { name: string }) => p.name);
    expect(names).not.toContain('broken');
    expect(
      (await t.app.inject({ url: '/v1/policies/versions', headers: owner.as() })).json().items.length,
    ).toBe(versionsBefore);
  });

  it('needs policies:read to read, policies:write to write, a recent sign-in for people, and a unique name', async () => {
    expect((await t.app.inject({ url: '/v1/policies', headers: viewer.as() })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/policies', headers: engineer.as() })).statusCode).toBe(200);
    const byEngineer = await post('/v1/policies', { name: 'eng', policy: FORBID_LIST }, engineer.as());
    expect(byEngineer.statusCode).toBe(403);
    expect(byEngineer.json().code).toBe('forbidden');
    const stale = await post(
      '/v1/policies',
      { name: 'stale', policy: FORBID_LIST },
      owner.as({ authTime: new Date(Date.now() - 3600_000) }),
    );
    expect(stale.json().code).toBe('step_up_required');
    const first = await post('/v1/policies', { name: 'unique', policy: FORBID_LIST, enabled: false }, t.auth);
    expect(first.statusCode).toBe(201);
    const again = await post('/v1/policies', { name: 'unique', policy: FORBID_LIST }, t.auth);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('policy_name_taken');
  });

  it('keeps each org to its own policies: another org cannot read, change or delete one by id', async () => {
    const mine = await post('/v1/policies', { name: 'mine', policy: FORBID_LIST, enabled: false }, t.auth);
    const other = await t.newOrg('policy-neighbour');
    const url = `/v1/policies/${mine.json().id}`;
    expect((await t.app.inject({ url, headers: other.auth })).json().code).toBe('policy_not_found');
    const put = await t.app.inject({ method: 'PUT', url, headers: other.auth, payload: { enabled: true } });
    expect(put.json().code).toBe('policy_not_found');
    expect((await t.app.inject({ method: 'DELETE', url, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/v1/policies', headers: other.auth })).json().items).toEqual([]);
    expect((await t.app.inject({ url, headers: t.auth })).json().enabled).toBe(false);
  });

  it('shows the whole effective set: system, role and enabled org policies with ids and the version decisions log', async () => {
    const r = await t.app.inject({ url: '/v1/policies/effective', headers: engineer.as() });
    expect(r.statusCode).toBe(200);
    const ids = r.json().policies.map((p: { id: string }) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining(['system/tenancy', 'role/viewer', 'role/owner', 'org/b-permit']),
    );
    expect(ids).not.toContain('org/a-list-off'); // disabled
    expect(r.json().policies.find((p: { id: string }) => p.id === 'system/tenancy').source).toBe('system');
    expect(r.json().version).toMatch(/^[0-9a-f]{16}$/);
    expect(r.json().orgVersion).toBeGreaterThan(0);
  });

  it('applies a change in a second process within about a second, and a forbid answers 403 with its reason and a decision id', async () => {
    const second = await startSecondApp(t, { extraAuthenticators: [testPrincipalAuthenticator] });
    try {
      expect((await second.app.inject({ url: '/v1/servers', headers: engineer.as() })).statusCode).toBe(200);
      const created = await post('/v1/policies', { name: 'list-off', policy: FORBID_LIST });
      expect(created.statusCode).toBe(201);
      const started = Date.now();
      const denied = await eventually(
        async () => {
          const r = await second.app.inject({ url: '/v1/servers', headers: engineer.as() });
          return r.statusCode === 403 ? r : undefined;
        },
        5000,
        'the second process to apply the policy',
      );
      // LISTEN/NOTIFY at commit: well within the second the issue asks for, plus polling and a loaded machine.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(denied.json().detail).toMatch(/listing servers is switched off/);
      expect(denied.json().decisionId).toMatch(/^[0-9a-f-]{36}$/);
      await t.app.inject({ method: 'DELETE', url: `/v1/policies/${created.json().id}`, headers: owner.as() });
      await eventually(async () => {
        const r = await second.app.inject({ url: '/v1/servers', headers: engineer.as() });
        return r.statusCode === 200 ? true : undefined;
      }, 5000);
    } finally {
      await second.stop();
    }
  });
});
