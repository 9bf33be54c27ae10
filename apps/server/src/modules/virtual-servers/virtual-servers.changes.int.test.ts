import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { newToolsVersion, serverWithTools } from '../../../test/server-fixtures.ts';
import { withTenant } from '../../platform/db/index.ts';

/**
 * Issue 11 point 2: changing and deleting virtual servers, who may, another org's ids, and what the gateway
 * resolves for `/mcp/{slug}` as capabilities change (names stable across rediscovery, ADR 0041).
 */
let t: TestApp;
let files: string;
let web: string;

beforeAll(async () => {
  t = await startTestApp();
  files = await serverWithTools(t, t.orgId, 'files', ['read', 'search']);
  web = await serverWithTools(t, t.orgId, 'web', ['search', 'fetch']);
});
afterAll(() => t.stop());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth = t.auth) =>
  t.app.inject({
    method,
    url,
    headers: auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function create(body: Record<string, unknown>) {
  const res = await call('POST', '/v1/virtual-servers', {
    slug: `vs-${randomUUID().slice(0, 8)}`,
    name: 'VS',
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; slug: string; tools: { name: string }[] };
}

const toolNames = async (slug: string) =>
  (await t.sc.virtualServers.service.resolve(t.orgId, slug))?.exposure.exposed.map((x) => x.name);

describe('changing a virtual server', () => {
  it('re-validates a change of members against current capabilities, refusing a clash and changing nothing', async () => {
    const v = await create({ naming: 'none', members: [{ serverId: files }] });
    const refused = await call('PATCH', `/v1/virtual-servers/${v.id}`, {
      members: [{ serverId: files }, { serverId: web }],
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('virtual_server_name_clash');
    expect((await call('GET', `/v1/virtual-servers/${v.id}`)).json().members).toEqual([
      { serverId: files, tools: 'all' },
    ]);
    const ok = await call('PATCH', `/v1/virtual-servers/${v.id}`, {
      naming: 'prefix',
      members: [{ serverId: files }, { serverId: web }],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().tools.map((x: { name: string }) => x.name)).toEqual([
      'files__read',
      'files__search',
      'web__search',
      'web__fetch',
    ]);
    const audit = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('action').where('target_id', '=', v.id).orderBy('id').execute(),
    );
    expect(audit.map((a) => a.action)).toEqual(['virtual_server.created', 'virtual_server.updated']);
  });

  it('switches off an endpoint an upstream has since made clash; a change of its shape is re-validated and refused', async () => {
    const a = await serverWithTools(t, t.orgId, 'eta', ['e1']);
    const b = await serverWithTools(t, t.orgId, 'theta', ['h1']);
    const v = await create({ naming: 'none', members: [{ serverId: a }, { serverId: b }] });
    await newToolsVersion(t, t.orgId, a, ['e1', 'h1']);
    const off = await call('PATCH', `/v1/virtual-servers/${v.id}`, { enabled: false, name: 'Off' });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, name: 'Off' });
    const reshaped = await call('PATCH', `/v1/virtual-servers/${v.id}`, {
      members: [{ serverId: a }, { serverId: b }],
    });
    expect(reshaped.statusCode).toBe(422);
    expect(reshaped.json().code).toBe('virtual_server_name_clash');
  });

  it('deletes: 204, then 404; the servers it was made of stay', async () => {
    const v = await create({ members: [{ serverId: files }] });
    expect((await call('DELETE', `/v1/virtual-servers/${v.id}`)).statusCode).toBe(204);
    const gone = await call('GET', `/v1/virtual-servers/${v.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('virtual_server_not_found');
    expect((await call('GET', `/v1/servers/${files}`)).statusCode).toBe(200);
    expect(await t.sc.virtualServers.service.resolve(t.orgId, v.slug)).toBeUndefined();
  });

  it('answers another org’s virtual server id with 404 on read, change and delete, and changes nothing', async () => {
    const v = await create({ members: [{ serverId: files }] });
    const other = await t.newOrg(`vs-x-${randomUUID().slice(0, 6)}`);
    for (const [method, payload] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
      const res = await call(method, `/v1/virtual-servers/${v.id}`, payload, other.auth);
      expect(res.statusCode, method).toBe(404);
      expect(res.json().code).toBe('virtual_server_not_found');
    }
    expect((await call('GET', `/v1/virtual-servers/${v.id}`)).json().enabled).toBe(true);
    expect((await call('GET', '/v1/virtual-servers?limit=200', undefined, other.auth)).json().items).toEqual(
      [],
    );
  });

  it('lets a read-only key list and read but not write (403 naming the scope)', async () => {
    const v = await create({ members: [{ serverId: files }] });
    const reader = {
      authorization: `Bearer ${await t.keyWithScopes(['virtual_servers:read', 'servers:read'])}`,
    };
    expect((await call('GET', `/v1/virtual-servers/${v.id}`, undefined, reader)).statusCode).toBe(200);
    expect((await call('GET', '/v1/virtual-servers', undefined, reader)).statusCode).toBe(200);
    const denied = await call('DELETE', `/v1/virtual-servers/${v.id}`, undefined, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('virtual_servers');
    const noScope = { authorization: `Bearer ${await t.keyWithScopes(['servers:read'])}` };
    expect((await call('GET', '/v1/virtual-servers', undefined, noScope)).statusCode).toBe(403);
  });
});

describe('resolve(orgId, slug): what the gateway serves', () => {
  it('keeps a tool’s name when the tool it clashed with goes away at rediscovery (on-conflict)', async () => {
    const a = await serverWithTools(t, t.orgId, 'alpha', ['lookup', 'only_a']);
    const b = await serverWithTools(t, t.orgId, 'beta', ['lookup']);
    const v = await create({ naming: 'on-conflict', members: [{ serverId: a }, { serverId: b }] });
    expect(await toolNames(v.slug)).toEqual(['lookup', 'only_a', 'beta__lookup']);
    await newToolsVersion(t, t.orgId, a, ['only_a']);
    expect(await toolNames(v.slug)).toEqual(['only_a', 'beta__lookup']);
  });

  it('keeps an unprefixed name when an earlier member gains a tool of that name, and reports nothing withheld', async () => {
    const a = await serverWithTools(t, t.orgId, 'gamma', ['one']);
    const b = await serverWithTools(t, t.orgId, 'delta', ['ping']);
    const v = await create({ naming: 'on-conflict', members: [{ serverId: a }, { serverId: b }] });
    await newToolsVersion(t, t.orgId, a, ['one', 'ping']);
    const r = await t.sc.virtualServers.service.resolve(t.orgId, v.slug);
    expect(r?.exposure.exposed.map((x) => [x.name, x.serverId, x.upstreamName])).toEqual([
      ['one', a, 'one'],
      ['gamma__ping', a, 'ping'],
      ['ping', b, 'ping'],
    ]);
    expect(r?.exposure.clashes).toEqual([]);
  });

  it('under none, withholds a tool that rediscovery made clash and reports the clash (no error at serving)', async () => {
    const a = await serverWithTools(t, t.orgId, 'eps', ['x1']);
    const b = await serverWithTools(t, t.orgId, 'zeta', ['y1']);
    const v = await create({ naming: 'none', members: [{ serverId: a }, { serverId: b }] });
    await newToolsVersion(t, t.orgId, a, ['x1', 'y1']);
    const r = await t.sc.virtualServers.service.resolve(t.orgId, v.slug);
    expect(r?.exposure.exposed.map((x) => `${x.serverId === a ? 'a' : 'b'}:${x.name}`)).toEqual([
      'a:x1',
      'b:y1',
    ]);
    expect(r?.exposure.clashes).toEqual([
      expect.objectContaining({ name: 'y1', kept: { serverId: b, upstreamName: 'y1' } }),
    ]);
  });

  it('a tag member takes servers that gain the tag later; a deleted member server leaves', async () => {
    const first = await serverWithTools(t, t.orgId, 'tagged-1', ['t1'], ['fleet']);
    const v = await create({
      naming: 'prefix',
      members: [{ tag: 'fleet' }, { serverId: web, tools: ['fetch'] }],
    });
    expect(await toolNames(v.slug)).toEqual(['tagged-1__t1', 'web__fetch']);
    await serverWithTools(t, t.orgId, 'tagged-2', ['t2'], ['fleet']);
    expect(await toolNames(v.slug)).toEqual(['tagged-1__t1', 'tagged-2__t2', 'web__fetch']);
    expect((await call('DELETE', `/v1/servers/${first}`)).statusCode).toBe(204);
    expect(await toolNames(v.slug)).toEqual(['tagged-2__t2', 'web__fetch']);
    const gone = await serverWithTools(t, t.orgId, 'short-lived', ['s']);
    const w = await create({ members: [{ serverId: gone }, { serverId: web }] });
    expect((await call('DELETE', `/v1/servers/${gone}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/virtual-servers/${w.id}`)).json().members).toEqual([
      { serverId: web, tools: 'all' },
    ]);
  });

  it('answers undefined for a slug of another org', async () => {
    const v = await create({ members: [{ serverId: files }] });
    const other = await t.newOrg(`vs-r-${randomUUID().slice(0, 6)}`);
    expect(await t.sc.virtualServers.service.resolve(other.orgId, v.slug)).toBeUndefined();
  });
});
