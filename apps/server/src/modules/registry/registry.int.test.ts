import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const register = (payload: Record<string, unknown>, headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/servers', headers, payload });

async function countRows(table: 'servers' | 'audit_events' | 'outbox_events') {
  return withTenant(t.database.adminDb, t.orgId, async (tx) => {
    const r = await tx
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  });
}

describe('registering a server (story 2.1)', () => {
  it('returns 201 with the id, status pending_discovery and a link to its discovery job', async () => {
    const res = await register({
      name: 'weather',
      url: 'https://mcp.weather.example/mcp',
      environment: 'production',
      tags: ['weather', 'public'],
      description: 'Forecasts',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'weather',
      status: 'pending_discovery',
      transport: 'streamable-http',
      environment: 'production',
      tags: ['weather', 'public'],
      autoDiscover: true,
      auth: { type: 'none' },
    });
    expect(res.headers.location).toBe(`/v1/servers/${body.id}`);
    expect(body.discoveryJob).toMatchObject({ kind: 'discovery', subject: { type: 'server', id: body.id } });
    expect(body.discoveryJob.links.self).toBe(`/v1/jobs/${body.discoveryJob.id}`);
    const job = await t.app.inject({ method: 'GET', url: body.discoveryJob.links.self, headers: t.auth });
    expect(job.statusCode).toBe(200);
  });

  it('does not queue discovery when autoDiscover is false', async () => {
    const res = await register({ name: 'quiet', url: 'https://quiet.example/mcp', autoDiscover: false });
    expect(res.statusCode).toBe(201);
    expect(res.json().discoveryJob).toBeNull();
  });

  it('encrypts credentials at rest and never returns them', async () => {
    const secret = 'tok-super-secret-123';
    const res = await register({
      name: 'private',
      url: 'https://p.example/mcp',
      auth: { type: 'bearer', token: secret },
      autoDiscover: false,
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(secret);
    expect(res.json().auth).toEqual({ type: 'bearer' });
    const got = await t.app.inject({ method: 'GET', url: `/v1/servers/${res.json().id}`, headers: t.auth });
    expect(got.body).not.toContain(secret);
    const list = await t.app.inject({ method: 'GET', url: '/v1/servers', headers: t.auth });
    expect(list.body).not.toContain(secret);
    const row = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('servers')
        .select('auth_secret')
        .where('id', '=', res.json().id)
        .executeTakeFirstOrThrow(),
    );
    expect(row.auth_secret).not.toBeNull();
    expect(row.auth_secret!.includes(Buffer.from(secret))).toBe(false);
    const audit = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('data').execute(),
    );
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('keeps a custom header credential name visible but its value hidden', async () => {
    const res = await register({
      name: 'hdr',
      url: 'https://h.example/mcp',
      auth: { type: 'header', name: 'X-Api-Key', value: 'v-secret' },
      autoDiscover: false,
    });
    expect(res.json().auth).toEqual({ type: 'header', headerName: 'X-Api-Key' });
    expect(res.body).not.toContain('v-secret');
  });

  it('answers 409 for the same name in the same org and environment, ignoring case, and changes nothing', async () => {
    await register({
      name: 'Dup',
      url: 'https://d.example/mcp',
      environment: 'staging',
      autoDiscover: false,
    });
    const before = await countRows('audit_events');
    const res = await register({
      name: 'dup',
      url: 'https://d2.example/mcp',
      environment: 'staging',
      autoDiscover: false,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'server_name_taken', errors: [{ pointer: '/name' }] });
    expect(await countRows('audit_events')).toBe(before);
    const other = await register({
      name: 'dup',
      url: 'https://d2.example/mcp',
      environment: 'production',
      autoDiscover: false,
    });
    expect(other.statusCode).toBe(201);
  });

  it('allows the same name in another org', async () => {
    const other = await t.newOrg('dup-org');
    const a = await register({ name: 'shared-name', url: 'https://s.example/mcp', autoDiscover: false });
    const b = await register(
      { name: 'shared-name', url: 'https://s.example/mcp', autoDiscover: false },
      other.auth,
    );
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
  });
});

describe('URL validation and SSRF policy at registration', () => {
  const refused: [string, string, RegExp][] = [
    ['loopback', 'http://127.0.0.1:8080/mcp', /SPRINTCONNECT_EGRESS_ALLOW/],
    ['IPv6 loopback', 'http://[::1]/mcp', /SPRINTCONNECT_EGRESS_ALLOW/],
    ['private range', 'http://10.1.2.3/mcp', /SPRINTCONNECT_EGRESS_ALLOW/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data', /metadata/i],
    ['decimal IPv4 literal', 'http://2130706433/mcp', /./],
    ['hex IPv4 literal', 'http://0x7f.1/mcp', /./],
    ['octal IPv4 literal', 'http://0177.0.0.1/mcp', /./],
    ['userinfo', 'https://user:pass@mcp.example.com/mcp', /./],
    ['scheme', 'ftp://mcp.example.com/mcp', /./],
    ['not a URL', 'not a url', /./],
  ];
  for (const [what, url, detail] of refused) {
    it(`refuses a ${what} URL with 422 url_not_allowed and stores nothing`, async () => {
      const before = await countRows('servers');
      const res = await register({ name: `ssrf-${what}`, url });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'url_not_allowed', errors: [{ pointer: '/url' }] });
      expect(res.json().detail).toMatch(detail);
      expect(await countRows('servers')).toBe(before);
    });
  }
});

describe('URL policy with an allowlist', () => {
  let allowed: TestApp;
  beforeAll(async () => {
    allowed = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32,169.254.0.0/16' } });
  });
  afterAll(() => allowed.stop());
  const reg = (url: string) =>
    allowed.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: allowed.auth,
      payload: { name: url, url, autoDiscover: false },
    });

  it('accepts an allowlisted loopback address', async () => {
    expect((await reg('http://127.0.0.1:8080/mcp')).statusCode).toBe(201);
  });

  it('still refuses non-canonical IPv4 literals of an allowlisted address', async () => {
    for (const url of [
      'http://2130706433/mcp',
      'http://0x7f.0.0.1/mcp',
      'http://0177.0.0.1/mcp',
      'http://127.1/mcp',
    ]) {
      expect((await reg(url)).statusCode, url).toBe(422);
    }
  });

  it('still refuses cloud metadata addresses inside an allowlisted range', async () => {
    const res = await reg('http://169.254.169.254/latest/meta-data');
    expect(res.statusCode).toBe(422);
  });
});

describe('listing, reading, changing and deleting servers', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    ids = {};
    for (const [name, environment, tags, description] of [
      ['alpha', 'development', ['a', 'common'], 'first'],
      ['beta', 'production', ['b', 'common'], 'second thing'],
      ['gamma', 'production', ['common'], 'third'],
    ] as const) {
      const res = await register({
        name: `list-${name}`,
        url: `https://${name}.example/mcp`,
        environment,
        tags: [...tags],
        description,
        autoDiscover: false,
      });
      ids[name] = res.json().id;
    }
  });

  const list = async (qs: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/servers?${qs}`, headers: t.auth });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { id: string; name: string }[]; nextCursor: string | null };
  };

  it('filters by environment, by all given tags, and by text', async () => {
    expect((await list('environment=production&tags=common')).items.map((s) => s.name).sort()).toEqual([
      'list-beta',
      'list-gamma',
    ]);
    expect((await list('tags=common,b')).items.map((s) => s.name)).toEqual(['list-beta']);
    expect((await list('q=second')).items.map((s) => s.name)).toEqual(['list-beta']);
    expect((await list('status=pending_discovery&tags=common')).items).toHaveLength(3);
  });

  it('pages with an opaque cursor, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`tags=common&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(['list-gamma', 'list-beta', 'list-alpha']);
  });

  it('refuses a forged cursor with 422', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/servers?cursor=Zm9v', headers: t.auth });
    expect(res.statusCode).toBe(422);
  });

  it('updates fields and records the change: server.updated in the audit log and the outbox, naming the fields', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/servers/${ids.alpha}`,
      headers: { ...t.auth, 'x-request-id': 'req-update-1' },
      payload: { description: 'updated', tags: ['a'], auth: { type: 'bearer', token: 'tok-never-logged' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ description: 'updated', tags: ['a'], auth: { type: 'bearer' } });
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/servers/${ids.alpha}`, headers: t.auth })).json(),
    ).toMatchObject({ description: 'updated', tags: ['a'] });
    const [audit, outbox] = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      Promise.all([
        tx
          .selectFrom('audit_events')
          .selectAll()
          .where('target_id', '=', ids.alpha!)
          .where('action', '=', 'server.updated')
          .execute(),
        tx.selectFrom('outbox_events').selectAll().where('topic', '=', 'server.updated').execute(),
      ]),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      org_id: t.orgId,
      actor_type: 'api_key',
      target_type: 'server',
      request_id: 'req-update-1',
      // The credential is named as changed, never quoted.
      data: { fields: ['description', 'tags', 'auth'], connectionChanged: true },
    });
    expect(JSON.stringify([audit, outbox])).not.toContain('tok-never-logged');
    expect(
      outbox.filter((e) => (e.payload as { target: { id: string } }).target.id === ids.alpha),
    ).toHaveLength(1);
  });

  it('never shows a server to another org, and another org cannot change or delete it', async () => {
    const other = await t.newOrg('outsider');
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { description: 'x' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await t.app.inject({
        method,
        url: `/v1/servers/${ids.beta}`,
        headers: other.auth,
        payload,
      });
      expect(res.statusCode, method).toBe(404);
    }
    const theirs = await t.app.inject({ method: 'GET', url: '/v1/servers', headers: other.auth });
    expect(theirs.json().items).toEqual([]);
  });

  it('deletes a server: 204, then 404', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/servers/${ids.gamma}`, headers: t.auth });
    expect(res.statusCode).toBe(204);
    const again = await t.app.inject({ method: 'GET', url: `/v1/servers/${ids.gamma}`, headers: t.auth });
    expect(again.statusCode).toBe(404);
  });
});

describe('audit and outbox', () => {
  it('writes an audit event with actor, action, target, org, time and request id, and an outbox event, for a registration', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { ...t.auth, 'x-request-id': 'req-audit-1' },
      payload: { name: 'audited', url: 'https://audited.example/mcp', autoDiscover: false },
    });
    const id = res.json().id;
    const [audit, outbox] = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      Promise.all([
        tx.selectFrom('audit_events').selectAll().where('target_id', '=', id).execute(),
        tx.selectFrom('outbox_events').selectAll().where('topic', '=', 'server.registered').execute(),
      ]),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      org_id: t.orgId,
      actor_type: 'api_key',
      action: 'server.registered',
      target_type: 'server',
      request_id: 'req-audit-1',
    });
    expect(audit[0]!.occurred_at).toBeInstanceOf(Date);
    expect(outbox.some((e) => (e.payload as { target: { id: string } }).target.id === id)).toBe(true);
  });
});
