import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { serverWithTools } from '../../../test/server-fixtures.ts';
import { withTenant } from '../../platform/db/index.ts';

/** Issue 11 point 2: `/v1/virtual-servers` manages the endpoints an org publishes at /mcp/{slug}. */
let t: TestApp;
let files: string;
let web: string;
let other: { orgId: string; auth: { authorization: string } };
let otherServer: string;

beforeAll(async () => {
  t = await startTestApp();
  files = await serverWithTools(t, t.orgId, 'files', ['read', 'search']);
  web = await serverWithTools(t, t.orgId, 'web', ['search', 'fetch']);
  other = await t.newOrg('vs-other');
  otherServer = await serverWithTools(t, other.orgId, 'theirs', ['secret']);
});
afterAll(() => t.stop());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth = t.auth) =>
  t.app.inject({
    method,
    url,
    headers: auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** Everything a failed write must leave as it was: the rows and the audit trail. */
async function state(orgId = t.orgId) {
  return withTenant(t.database.adminDb, orgId, async (tx) => ({
    servers: await tx.selectFrom('virtual_servers').selectAll().orderBy('id').execute(),
    members: await tx.selectFrom('virtual_server_members').selectAll().execute(),
    overrides: await tx.selectFrom('virtual_server_overrides').selectAll().execute(),
    audit: (await tx.selectFrom('audit_events').select('id').execute()).length,
    outbox: (await tx.selectFrom('outbox_events').select('id').execute()).length,
  }));
}

let n = 0;
const slug = () => `vs-${++n}-${randomUUID().slice(0, 6)}`;

describe('creating a virtual server', () => {
  it('shows the members’ tools under the naming rule, with overrides, and audits the change with its outbox event', async () => {
    const s = slug();
    const res = await call('POST', '/v1/virtual-servers', {
      slug: s,
      name: 'Research',
      naming: 'on-conflict',
      members: [{ serverId: files }, { serverId: web, tools: ['search', 'fetch'] }],
      overrides: [{ serverId: web, tool: 'fetch', name: 'web_fetch', title: 'Fetch a page' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const v = res.json();
    expect(res.headers.location).toBe(`/v1/virtual-servers/${v.id}`);
    expect(v.links.mcp).toBe(`/mcp/${s}`);
    expect(v.tools.map((x: { name: string }) => x.name)).toEqual([
      'read',
      'search',
      'web__search',
      'web_fetch',
    ]);
    expect(v.tools[3]).toMatchObject({ serverId: web, upstreamName: 'fetch', title: 'Fetch a page' });
    expect((await call('GET', `/v1/virtual-servers/${v.id}`)).json()).toEqual(v);
    const events = await withTenant(t.database.adminDb, t.orgId, async (tx) => ({
      audit: await tx.selectFrom('audit_events').select('action').where('target_id', '=', v.id).execute(),
      outbox: await tx
        .selectFrom('outbox_events')
        .select('topic')
        .where('topic', 'like', 'virtual_server.%')
        .execute(),
    }));
    expect(events.audit).toEqual([{ action: 'virtual_server.created' }]);
    expect(events.outbox).toContainEqual({ topic: 'virtual_server.created' });
  });

  it('refuses a clash under the naming rule none with 422 naming both tools, and writes nothing', async () => {
    const before = await state();
    const res = await call('POST', '/v1/virtual-servers', {
      slug: slug(),
      name: 'Clashing',
      naming: 'none',
      members: [{ serverId: files }, { serverId: web }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p.code).toBe('virtual_server_name_clash');
    expect(p.errors).toMatchObject([
      { pointer: '/naming', detail: expect.stringContaining(`${files}/search`) },
    ]);
    expect(p.errors[0].detail).toContain(`${web}/search`);
    expect(await state()).toEqual(before);
  });

  it('refuses an override that takes another tool’s name, even under on-conflict, pointing at the override', async () => {
    const res = await call('POST', '/v1/virtual-servers', {
      slug: slug(),
      name: 'Override clash',
      naming: 'on-conflict',
      members: [{ serverId: files }, { serverId: web }],
      overrides: [{ serverId: web, tool: 'fetch', name: 'read' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'virtual_server_name_clash',
      errors: [{ pointer: '/overrides/0/name' }],
    });
  });

  it('refuses listed tools the server does not offer and overrides of tools no member selects', async () => {
    const res = await call('POST', '/v1/virtual-servers', {
      slug: slug(),
      name: 'Missing',
      members: [{ serverId: files, tools: ['read', 'nope'] }],
      overrides: [{ serverId: web, tool: 'fetch', title: 'x' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'virtual_server_invalid',
      errors: [{ pointer: '/members/0/tools/1' }, { pointer: '/overrides/0/tool' }],
    });
  });

  it('answers another org’s server id exactly as an unknown id: the same 422, nothing revealed', async () => {
    const unknown = randomUUID();
    const answer = async (id: string) => {
      const res = await call('POST', '/v1/virtual-servers', {
        slug: 'x-y',
        name: 'X',
        members: [{ serverId: id }],
      });
      expect(res.statusCode).toBe(422);
      const { code, errors } = res.json();
      return JSON.stringify({ code, errors }).replaceAll(id, 'ID');
    };
    expect(await answer(otherServer)).toBe(await answer(unknown));
    expect(await answer(otherServer)).toContain('virtual_server_invalid');
    expect(await answer(otherServer)).toContain('/members/0/serverId');
  });

  it('refuses reserved and malformed slugs (422) and a slug already used in the org (409)', async () => {
    const body = (s: string) => ({ slug: s, name: 'S', members: [{ serverId: files }] });
    const reserved = await call('POST', '/v1/virtual-servers', body('default'));
    expect(reserved.statusCode).toBe(422);
    expect(reserved.json()).toMatchObject({ code: 'virtual_server_invalid', errors: [{ pointer: '/slug' }] });
    for (const bad of ['Upper', 'a/b', '-lead', 'trail-', 'a'.repeat(64), 'a_b', '']) {
      expect((await call('POST', '/v1/virtual-servers', body(bad))).statusCode, bad).toBe(422);
    }
    const s = slug();
    expect((await call('POST', '/v1/virtual-servers', body(s))).statusCode).toBe(201);
    const again = await call('POST', '/v1/virtual-servers', body(s));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('virtual_server_slug_taken');
    // Slugs are per org: another org may use the same one.
    const theirs = await call(
      'POST',
      '/v1/virtual-servers',
      { ...body(s), members: [{ serverId: otherServer }] },
      other.auth,
    );
    expect(theirs.statusCode).toBe(201);
  });
});

describe('hostile input changes nothing', () => {
  it('answers NUL bytes, wrong types, unknown fields and a huge body with a problem, and writes nothing', async () => {
    const before = await state();
    const cases: [unknown, number][] = [
      [{ slug: slug(), name: 'a\u0000b', members: [{ serverId: files }] }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: files, tools: ['a\u0000'] }] }, 422],
      [{ slug: slug(), name: 'N', members: 'all' }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: 42 }] }, 422],
      [{ slug: slug(), name: 'N', members: [] }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: files }], enabled: 'yes' }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: files }], extra: 1 }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: files, tag: 'x' }] }, 422],
      [{ slug: slug(), name: 'N', members: [{ serverId: files }], description: 'x'.repeat(2_000_000) }, 413],
    ];
    for (const [payload, status] of cases) {
      const res = await call('POST', '/v1/virtual-servers', payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await state()).toEqual(before);
  });
});
