import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { IndexItem } from './index-item.ts';

/**
 * Issue 10 point 1 through HTTP, with org policies written through `/v1/policies` (ADR 0036): a policy that
 * forbids one capability withholds that capability everywhere capabilities are shown (search, a server's
 * capabilities, versions and diffs) and says how many it withheld, while the server stays visible in listing,
 * search and show; a policy that forbids the server still hides it.
 */
let t: TestApp;
const NS = 'SprintConnect';
type Tool = { name: string; description: string };
const ids: Record<string, string> = {};
let viewer: { authorization: string };
let owner: { authorization: string };

/** A server with a discovered version 1 holding `tools` (snapshot and search index alike). */
async function addServer(name: string, tools: Tool[], tags: string[] = []) {
  const id = uuidv7();
  const versionId = uuidv7();
  await withTenant(t.database.adminDb, t.orgId, async (tx) => {
    await tx
      .insertInto('servers')
      .values({
        org_id: t.orgId,
        id,
        name,
        url: `https://${name}.example/mcp`,
        transport: 'streamable-http',
        environment: 'development',
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
        org_id: t.orgId,
        id: versionId,
        server_id: id,
        version: 1,
        content_hash: versionId,
        protocol_version: '2025-06-18',
        snapshot: JSON.stringify(snapshot(name, tools)),
        counts: JSON.stringify({ tools: tools.length, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
  });
  const items: IndexItem[] = tools.map((x) => ({
    kind: 'tool',
    name: x.name,
    description: x.description,
    definition: { ...x, inputSchema: { type: 'object' } },
  }));
  await withTenant(t.database.db, t.orgId, (tx) =>
    t.sc.search.index(tx, { orgId: t.orgId, serverId: id, versionId, version: 1, items }),
  );
  ids[name] = id;
}

const snapshot = (name: string, tools: Tool[]) => ({
  serverInfo: { name, version: '1' },
  serverCapabilities: { tools: {} },
  clientCapabilities: {},
  tools: tools.map((x) => ({ ...x, inputSchema: { type: 'object' } })),
  resources: [],
  resourceTemplates: [],
  prompts: [],
});

const WEATHER = { name: 'get_weather', description: 'Current weather for a place.' };
const DELETE_REPO = { name: 'delete_repo', description: 'Deletes a repository for good.' };
const GET_REPO = { name: 'get_repo', description: 'Reads a repository.' };

/** Viewers and engineers may not use delete_repo; admins and owners may. Servers tagged `secret` are hidden. */
const POLICIES = {
  query: {
    'no-delete-repo': `forbid (principal, action, resource is ${NS}::Capability)
      when { resource.name == "delete_repo" } unless { principal in ${NS}::Role::"admin" };`,
    'no-secret-servers': `forbid (principal, action, resource is ${NS}::Server)
      when { resource.tags.contains("secret") } unless { principal in ${NS}::Role::"admin" };`,
  },
  // The same, said with `like`: no query can say it, so the PDP decides each candidate (ADR 0020's batch).
  batch: {
    'no-delete-repo': `forbid (principal, action, resource is ${NS}::Capability)
      when { resource.name like "delete_r*" } unless { principal in ${NS}::Role::"admin" };`,
    'no-secret-servers': `forbid (principal, action, resource is ${NS}::Server)
      when { resource.tags.contains("secret") } unless { principal in ${NS}::Role::"admin" };`,
  },
} as const;
type Mode = keyof typeof POLICIES;

/** Replaces the org's policies through the API, as an owner would. */
async function usePolicies(mode: Mode) {
  const list = await t.app.inject({ url: '/v1/policies?limit=100', headers: owner });
  for (const p of list.json().items as { id: string }[]) {
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/policies/${p.id}`, headers: owner });
    expect(res.statusCode, res.body).toBe(204);
  }
  for (const [name, policy] of Object.entries(POLICIES[mode])) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: owner,
      payload: { name, policy },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
}

interface SearchBody {
  total: number;
  items: { server: { name: string }; withheld: number; matches: { name: string }[] }[];
  nextCursor: string | null;
  suggestion?: unknown;
}

async function search(headers: Record<string, string>, query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/discovery/servers?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as SearchBody;
  return { body, mode: res.headers['sc-policy-filter'], names: body.items.map((i) => i.server.name).sort() };
}

const withheldOf = (b: SearchBody) => Object.fromEntries(b.items.map((i) => [i.server.name, i.withheld]));

async function get(headers: Record<string, string>, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() };
}

async function listed(headers: Record<string, string>) {
  const res = await t.app.inject({ method: 'GET', url: '/v1/servers?limit=100', headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { name: string }[]).map((s) => s.name).sort();
}

beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  viewer = (await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer'])).as();
  owner = (await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner'])).as();
  await addServer('ops', [WEATHER, DELETE_REPO]);
  await addServer('code', [GET_REPO]);
  await addServer('weather', [WEATHER]);
  await addServer('vault', [WEATHER], ['secret']);
  // Version 2 of `ops` no longer has delete_repo: a change the viewer may not see.
  await withTenant(t.database.adminDb, t.orgId, (tx) =>
    tx
      .insertInto('capability_versions')
      .values({
        org_id: t.orgId,
        id: uuidv7(),
        server_id: ids.ops!,
        version: 2,
        content_hash: 'ops-2',
        protocol_version: '2025-06-18',
        snapshot: JSON.stringify(snapshot('ops', [WEATHER])),
        counts: JSON.stringify({ tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute(),
  );
});
afterAll(() => t?.stop());

describe.each(['query', 'batch'] as const)('one capability forbidden for a role (policy as %s)', (mode) => {
  beforeAll(() => usePolicies(mode));

  it('the role still sees the server in listing, search and show, each search result counting what it withholds', async () => {
    expect(await listed(viewer)).toEqual(['code', 'ops', 'weather']);
    const found = await search(viewer, 'capability=get_weather');
    expect(found.mode).toBe(mode);
    expect(found.names).toEqual(['ops', 'weather']);
    expect(found.body.total).toBe(2);
    expect(withheldOf(found.body)).toEqual({ ops: 1, weather: 0 });
    const shown = await get(viewer, `/v1/servers/${ids.ops}`);
    expect(shown.status).toBe(200);
    expect(shown.body.name).toBe('ops');
    // Others see everything, and nothing withheld.
    expect(withheldOf((await search(owner, 'capability=get_weather')).body)).toEqual({
      ops: 0,
      vault: 0,
      weather: 0,
    });
  });

  it('the forbidden capability is found by no search of that role, by name, word, description or typo; others find it', async () => {
    for (const q of [
      'capability=delete_repo',
      'capability=delete',
      'capability=deletes',
      'capability=delet_repo&fuzzy=true',
    ]) {
      const r = await search(viewer, q);
      expect({ q, total: r.body.total, names: r.names }).toEqual({ q, total: 0, names: [] });
      // Nor suggested: the fuzzy alternative is searched under the same policy.
      expect(r.body).not.toHaveProperty('suggestion');
    }
    const own = await search(owner, 'capability=delete_repo');
    expect(own.names).toEqual(['ops']);
    expect(own.body.items[0]!.matches.map((m) => m.name)).toEqual(['delete_repo']);
    // A word both hold: the viewer finds `code` by get_repo, not `ops` by delete_repo; the owner finds both.
    expect((await search(viewer, 'capability=repository')).names).toEqual(['code']);
    expect((await search(owner, 'capability=repository')).names).toEqual(['code', 'ops']);
    const both = await search(viewer, 'capability=weather,repository');
    expect(both.body.total).toBe(0);
  });

  it("a server's capabilities, versions and diffs withhold it and say how many they withheld", async () => {
    const current = await get(viewer, `/v1/servers/${ids.ops}/capabilities`);
    expect(current.status).toBe(200);
    expect(current.body.tools.map((x: { name: string }) => x.name)).toEqual(['get_weather']);
    expect(current.body).toMatchObject({ withheld: 1, counts: { tools: 1 } });
    const versions = await get(viewer, `/v1/servers/${ids.ops}/capabilities/versions`);
    expect(
      versions.body.items.map((v: { version: number; counts: { tools: number }; withheld: number }) => [
        v.version,
        v.counts.tools,
        v.withheld,
      ]),
    ).toEqual([
      [2, 1, 0],
      [1, 1, 1],
    ]);
    const diff = await get(viewer, `/v1/servers/${ids.ops}/capabilities/diff?from=1&to=2`);
    expect(diff.body).toMatchObject({ changed: false, withheld: 1, tools: { removed: [] } });
    // The owner sees it all, and nothing withheld.
    expect((await get(owner, `/v1/servers/${ids.ops}/capabilities`)).body).toMatchObject({
      withheld: 0,
      counts: { tools: 2 },
    });
    const ownVersions = await get(owner, `/v1/servers/${ids.ops}/capabilities/versions`);
    expect(ownVersions.body.items.map((v: { counts: { tools: number } }) => v.counts.tools)).toEqual([1, 2]);
    expect((await get(owner, `/v1/servers/${ids.ops}/capabilities/diff?from=1&to=2`)).body).toMatchObject({
      changed: true,
      withheld: 0,
      tools: { removed: ['delete_repo'] },
    });
  });

  it('a policy forbidding the server still hides it: from listing, search and show', async () => {
    expect(await listed(viewer)).not.toContain('vault');
    expect((await search(viewer, 'capability=get_weather')).names).not.toContain('vault');
    expect((await get(viewer, `/v1/servers/${ids.vault}`)).status).toBe(404);
    expect(await listed(owner)).toContain('vault');
    expect((await get(owner, `/v1/servers/${ids.vault}`)).status).toBe(200);
  });

  it('pages and totals agree: every page carries the same total, and the pages hold exactly the servers the role may see', async () => {
    for (const [q, expected] of [
      ['capability=get_weather', ['ops', 'weather']],
      ['capability=repo', ['code']],
      ['capability=repository', ['code']],
      ['capability=weather&fuzzy=true', ['ops', 'weather']],
    ] as const) {
      const pages: SearchBody[] = [];
      let cursor: string | null = null;
      do {
        pages.push((await search(viewer, `${q}&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`)).body);
        cursor = pages.at(-1)!.nextCursor;
      } while (cursor !== null && pages.length < 10);
      const names = pages.flatMap((p) => p.items.map((i) => i.server.name));
      expect(new Set(pages.map((p) => p.total))).toEqual(new Set([names.length]));
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expected);
    }
  });
});
