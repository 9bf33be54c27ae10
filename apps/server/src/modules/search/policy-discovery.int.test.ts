import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { replaceServerCapabilities as indexCapabilities } from './capabilities.repo.ts';
import type { IndexItem } from './index-item.ts';

/**
 * Story 3.2 through HTTP: search (`/v1/discovery/servers`) and listing (`/v1/servers`) return only what the
 * PDP lets the caller see; one server route answers 404 for a server the caller may not see (ADR 0020); a
 * restricted capability is withheld while its server stays (ADR 0036).
 */
let t: TestApp;
/** The app's own listing filter counters (its decision point, ADR 0029). */
const serverFilterStats = () => t.sc.policy.decisions.filter.stats();
let other: Awaited<ReturnType<TestApp['newOrg']>>;
const NS = 'SprintConnect';
// 12:00 UTC is 07:00 in New York (outside the org's business hours), 15:00 UTC is 10:00 (inside).
const INSIDE = new Date('2026-03-02T15:00:00Z');
const OUTSIDE = new Date('2026-03-02T12:00:00Z');
let now = INSIDE;

type Env = 'development' | 'staging' | 'production';
const tool = (name: string): IndexItem => ({
  kind: 'tool',
  name,
  description: '',
  definition: { name, inputSchema: { type: 'object' } },
});

async function addServer(orgId: string, name: string, environment: Env, tags: string[], tools: string[]) {
  const id = uuidv7();
  const versionId = uuidv7();
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx
      .insertInto('servers')
      .values({
        org_id: orgId,
        id,
        name,
        url: `https://${name}.example/mcp`,
        transport: 'streamable-http',
        environment,
        tags,
        description: '',
        auto_discover: false,
        auth_type: 'none',
        auth_header_name: null,
        auth_secret: null,
        status: 'active',
        current_version_id: versionId,
        created_by: 'system:test',
      })
      .execute();
    await tx
      .insertInto('capability_versions')
      .values({
        org_id: orgId,
        id: versionId,
        server_id: id,
        version: 1,
        content_hash: versionId,
        protocol_version: '2025-06-18',
        snapshot: '{}',
        counts: JSON.stringify({ tools: tools.length, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
  });
  await withTenant(t.database.db, orgId, (tx) =>
    indexCapabilities(tx, { orgId, serverId: id, versionId, version: 1, items: tools.map(tool) }),
  );
  return id;
}

/** The org's own policies, written as the policies API stores them; every process drops its cached set. */
async function setPolicies(orgId: string, policies: Record<string, string>) {
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx.deleteFrom('policies').where('org_id', '=', orgId).execute();
    for (const [name, body] of Object.entries(policies)) {
      await tx.insertInto('policies').values({ org_id: orgId, id: uuidv7(), name, body }).execute();
    }
  });
  t.sc.rbac.permissions.invalidate(orgId);
}

const POLICIES = {
  'no-delete-repo': `forbid (principal, action, resource is ${NS}::Capability)
    when { resource.name == "delete_repo" } unless { principal in ${NS}::Role::"admin" };`,
  'office-hours': `forbid (principal, action, resource is ${NS}::Server)
    when { resource.tags.contains("office") && (context.time.hour < 9 || context.time.hour >= 17) };`,
};

const ids: Record<string, string> = {};
let viewer: { authorization: string };
let engineer: { authorization: string };
let owner: { authorization: string };

beforeAll(async () => {
  t = await startTestApp({ clock: { now: () => now }, extraAuthenticators: [testPrincipalAuthenticator] });
  other = await t.newOrg('policy-other');
  await t.database.adminPool.query(`UPDATE orgs SET time_zone = 'America/New_York' WHERE id = $1`, [t.orgId]);
  ids['dev-weather'] = await addServer(t.orgId, 'dev-weather', 'development', ['public'], ['get_weather']);
  ids['prod-weather'] = await addServer(t.orgId, 'prod-weather', 'production', ['public'], ['get_weather']);
  ids['repo-admin'] = await addServer(t.orgId, 'repo-admin', 'staging', [], ['get_weather', 'delete_repo']);
  ids['office-weather'] = await addServer(
    t.orgId,
    'office-weather',
    'development',
    ['office'],
    ['get_weather'],
  );
  ids['other-weather'] = await addServer(other.orgId, 'other-weather', 'development', [], ['get_weather']);
  await setPolicies(t.orgId, POLICIES);
  viewer = (await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer'])).as();
  engineer = (await userWithRoles(t.sc, t.orgId, 'engineer@example.com', ['engineer'])).as();
  owner = (await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner'])).as();
});
afterAll(() => t?.stop());

async function search(headers: Record<string, string>, query = 'capability=get_weather') {
  const res = await t.app.inject({ method: 'GET', url: `/v1/discovery/servers?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { total: number; items: { server: { name: string } }[] };
  return {
    names: body.items.map((i) => i.server.name).sort(),
    total: body.total,
    mode: res.headers['sc-policy-filter'],
  };
}

async function listed(headers: Record<string, string>, query = 'limit=100') {
  const res = await t.app.inject({ method: 'GET', url: `/v1/servers?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { items: { name: string }[]; nextCursor: string | null };
  return {
    names: body.items.map((i) => i.name),
    nextCursor: body.nextCursor,
    mode: res.headers['sc-policy-filter'],
  };
}

describe('policy-filtered discovery (story 3.2)', () => {
  it('a limited role only receives the servers its org and role can access', async () => {
    const v = await search(viewer);
    // repo-admin stays: only its delete_repo is withheld from the viewer (ADR 0036).
    expect(v.names).toEqual(['dev-weather', 'office-weather', 'repo-admin']);
    expect(v.total).toBe(3);
    expect((await listed(viewer)).names.sort()).toEqual(['dev-weather', 'office-weather', 'repo-admin']);
    expect((await search(owner)).names).toEqual([
      'dev-weather',
      'office-weather',
      'prod-weather',
      'repo-admin',
    ]);
  });

  it('hides production servers from a principal without production access, in search, listing and by id', async () => {
    expect((await search(viewer, 'capability=get_weather&environment=production')).names).toEqual([]);
    expect((await search(engineer)).names).toContain('prod-weather');
    expect((await listed(viewer, 'environment=production')).names).toEqual([]);
    expect((await listed(engineer, 'environment=production')).names).toEqual(['prod-weather']);
    const unknown = await t.app.inject({ method: 'GET', url: `/v1/servers/${uuidv7()}`, headers: viewer });
    for (const path of ['', '/capabilities', '/capabilities/versions']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/servers/${ids['prod-weather']}${path}`,
        headers: viewer,
      });
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe(unknown.json().code);
      const seen = await t.app.inject({
        method: 'GET',
        url: `/v1/servers/${ids['prod-weather']}${path}`,
        headers: engineer,
      });
      expect(seen.statusCode, path).toBe(200);
    }
  });

  it('withholds a capability an org policy restricts for the caller, and keeps its server (ADR 0036)', async () => {
    expect((await search(viewer, 'capability=delete_repo')).names).toEqual([]);
    expect((await search(engineer, 'capability=delete_repo')).names).toEqual([]);
    expect((await search(engineer)).names).toContain('repo-admin');
    expect((await listed(engineer)).names).toContain('repo-admin');
    expect((await search(owner, 'capability=delete_repo')).names).toEqual(['repo-admin']);
  });

  it('withholds a restricted capability when one server’s capabilities are read, and from its diffs', async () => {
    const id = ids['repo-admin']!;
    const snapshot = (tools: string[]) =>
      JSON.stringify({
        serverInfo: { name: 'repo-admin', version: '1' },
        serverCapabilities: {},
        clientCapabilities: {},
        tools: tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
        resources: [],
        resourceTemplates: [],
        prompts: [],
      });
    await t.database.adminPool.query(
      `UPDATE capability_versions SET snapshot = $2::jsonb WHERE server_id = $1 AND version = 1`,
      [id, snapshot(['get_weather', 'delete_repo'])],
    );
    await t.database.adminPool.query(
      `INSERT INTO capability_versions (org_id, id, server_id, version, content_hash, protocol_version, snapshot, counts)
       VALUES ($1, $2, $3, 2, 'v2', '2025-06-18', $4::jsonb, '{"tools":1,"resources":0,"resourceTemplates":0,"prompts":0}')`,
      [t.orgId, uuidv7(), id, snapshot(['get_weather'])],
    );
    const read = async (headers: Record<string, string>, path: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/servers/${id}${path}`, headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const seen = await read(engineer, '/capabilities');
    expect(seen.tools.map((x: { name: string }) => x.name)).toEqual(['get_weather']);
    expect(seen).toMatchObject({ withheld: 1, counts: { tools: 1 } });
    const full = await read(owner, '/capabilities');
    expect(full.tools.map((x: { name: string }) => x.name)).toEqual(['get_weather', 'delete_repo']);
    expect(full).toMatchObject({ withheld: 0, counts: { tools: 2 } });
    // version 1 -> 2 removed delete_repo: the engineer sees no change at all, the owner sees the removal
    expect(await read(engineer, '/capabilities/diff?from=1&to=2')).toMatchObject({
      changed: false,
      tools: { removed: [] },
    });
    expect(await read(owner, '/capabilities/diff?from=1&to=2')).toMatchObject({
      changed: true,
      tools: { removed: ['delete_repo'] },
    });
  });

  it("filters results by an API key's scopes", async () => {
    const narrow = { authorization: `Bearer ${await t.keyWithScopes(['search:query', 'servers:list'])}` };
    const servers = { authorization: `Bearer ${await t.keyWithScopes(['servers:read'])}` };
    const jobs = { authorization: `Bearer ${await t.keyWithScopes(['jobs:read'])}` };
    // Keys hold no role: the restricted capability applies to them; only servers:read reaches production.
    expect((await search(narrow)).names).toEqual(['dev-weather', 'office-weather', 'repo-admin']);
    expect((await search(narrow, 'capability=delete_repo')).names).toEqual([]);
    expect((await search(servers)).names).toEqual([
      'dev-weather',
      'office-weather',
      'prod-weather',
      'repo-admin',
    ]);
    expect((await listed(servers)).names.sort()).toEqual([
      'dev-weather',
      'office-weather',
      'prod-weather',
      'repo-admin',
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/discovery/servers?capability=get_weather',
      headers: jobs,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).not.toHaveProperty('items');
  });

  it("excludes time-restricted servers outside the allowed hours, in the org's time zone", async () => {
    now = OUTSIDE;
    try {
      expect((await search(viewer)).names).toEqual(['dev-weather', 'repo-admin']);
      expect((await listed(owner)).names).not.toContain('office-weather');
    } finally {
      now = INSIDE;
    }
    expect((await search(viewer)).names).toEqual(['dev-weather', 'office-weather', 'repo-admin']);
  });

  it("never returns another organization's servers", async () => {
    expect((await search(owner)).names).not.toContain('other-weather');
    expect((await listed(owner)).names).not.toContain('other-weather');
    expect((await search(other.auth)).names).toEqual(['other-weather']);
    expect((await listed(other.auth)).names).toEqual(['other-weather']);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/servers/${ids['other-weather']}`,
      headers: owner,
    });
    expect(res.statusCode).toBe(404);
  });

  it('returns nothing, a 403 with the decision id, when the policy decision point cannot answer', async () => {
    // A policy that fails at evaluation (Long overflow) and, next, a set that does not compile at all.
    for (const broken of [
      `forbid (principal, action, resource) when { context.time.hour * 9223372036854775807 > 0 };`,
      'this is not cedar',
    ]) {
      await setPolicies(t.orgId, { ...POLICIES, broken });
      for (const url of ['/v1/discovery/servers?capability=get_weather', '/v1/servers']) {
        const res = await t.app.inject({ method: 'GET', url, headers: owner });
        expect(res.statusCode, url).toBe(403);
        expect(res.json()).toMatchObject({ code: 'forbidden', decisionId: expect.any(String) });
        expect(res.json()).not.toHaveProperty('items');
      }
    }
    await setPolicies(t.orgId, POLICIES);
    expect((await search(owner)).names).toHaveLength(4);
  });

  it('puts simple policies into the query: no per-server PDP decision is made', async () => {
    const before = serverFilterStats();
    const r = await search(viewer);
    expect(r.mode).toBe('query');
    expect((await listed(engineer)).mode).toBe('query');
    expect(serverFilterStats().decisions).toBe(before.decisions);
  });
});

describe('pagination under filtering', () => {
  let org: Awaited<ReturnType<TestApp['newOrg']>>;
  const visible: string[] = [];

  beforeAll(async () => {
    org = await t.newOrg('policy-pages');
    // Newest first: every third server is hidden, so pages would come back short without refilling.
    for (let i = 0; i < 15; i++) {
      const name = i % 3 === 1 ? `hidden-${i}` : `shown-${i}`;
      await addServer(org.orgId, name, 'development', [], ['get_weather']);
      if (!name.startsWith('hidden')) visible.unshift(name);
    }
  });

  async function walk(headers: Record<string, string>) {
    const pages: string[][] = [];
    let cursor: string | null = null;
    let mode: unknown;
    do {
      const r = await listed(headers, `limit=4${cursor === null ? '' : `&cursor=${cursor}`}`);
      pages.push(r.names);
      mode = r.mode;
      cursor = r.nextCursor;
    } while (cursor !== null && pages.length < 10);
    return { pages, mode };
  }

  it('fills each page up to the limit and neither skips nor repeats a server (policy in the query)', async () => {
    await setPolicies(org.orgId, {
      'no-hidden-tag': `forbid (principal, action, resource is ${NS}::Server) when { resource.name == "hidden-1" ||
        resource.name == "hidden-4" || resource.name == "hidden-7" || resource.name == "hidden-10" || resource.name == "hidden-13" };`,
    });
    const { pages, mode } = await walk(org.auth);
    expect(mode).toBe('query');
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual(visible);
  });

  it('fills each page and neither skips nor repeats when each candidate is decided by the PDP (batch)', async () => {
    await setPolicies(org.orgId, {
      'no-hidden': `forbid (principal, action, resource is ${NS}::Server) when { resource.name like "hidden-*" };`,
    });
    const before = serverFilterStats();
    const { pages, mode } = await walk(org.auth);
    expect(mode).toBe('batch');
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual(visible);
    const after = serverFilterStats();
    expect(after.decisions + after.decisionHits).toBeGreaterThan(before.decisions + before.decisionHits);
    const s = await search(org.auth);
    expect(s.mode).toBe('batch');
    expect(s.total).toBe(10);
    expect(s.names).toEqual([...visible].sort());
  });
});
