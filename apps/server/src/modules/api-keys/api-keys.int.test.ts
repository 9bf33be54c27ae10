import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
});
afterAll(() => t.stop());

type Headers = { authorization: string };
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const create = (payload: Record<string, unknown>, headers: Headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload });
const list = (query = '', headers: Headers = t.auth) =>
  t.app.inject({ method: 'GET', url: `/v1/api-keys${query}`, headers });
const revoke = (id: string, headers: Headers = t.auth) =>
  t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers });
const servers = (headers: Headers) => t.app.inject({ method: 'GET', url: '/v1/servers', headers });

/** Everything the database holds about keys and their history, as text. */
async function databaseText(): Promise<string> {
  return withTenant(t.database.adminDb, t.orgId, async (tx) => {
    const keys = await tx.selectFrom('api_keys').selectAll().execute();
    const audit = await tx.selectFrom('audit_events').selectAll().execute();
    const outbox = await tx.selectFrom('outbox_events').selectAll().execute();
    const usage = await tx.selectFrom('api_key_usage').selectAll().execute();
    const hex = keys.map((k) => ({ ...k, secret_hash: k.secret_hash.toString('hex') }));
    return JSON.stringify([hex, audit, outbox, usage]);
  });
}

describe('creating API keys (story 1.2)', () => {
  it('returns the key once with 201; listings and the database never contain it', async () => {
    const res = await create({
      name: 'ci-deploy',
      description: 'GitHub Actions',
      scopes: ['servers:write'],
      expiresInDays: 30,
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      name: 'ci-deploy',
      description: 'GitHub Actions',
      scopes: ['servers:write'],
      state: 'active',
      lastUsedAt: null,
      revokedAt: null,
      links: { self: `/v1/api-keys/${body.id}` },
    });
    expect(res.headers.location).toBe(`/v1/api-keys/${body.id}`);
    expect(body.token).toMatch(/^sck_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(body.prefix).toBe(`${body.token.slice(0, 16)}_…`);
    const days = (Date.parse(body.expiresAt) - Date.parse(body.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(30);

    const secret = body.token.slice(17);
    const listed = await list();
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secret);
    expect(listed.json().items.some((k: { id: string }) => k.id === body.id)).toBe(true);
    for (const k of listed.json().items) expect(k).not.toHaveProperty('token');
    const one = await t.app.inject({ method: 'GET', url: body.links.self, headers: t.auth });
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(secret);
    expect(await databaseText()).not.toContain(secret);

    // The key works, within its scopes.
    expect((await servers(bearer(body.token))).statusCode).toBe(200);
  });

  it('records the creation in the audit log and the outbox, without the secret', async () => {
    const body = (await create({ name: 'audited', scopes: ['read'] })).json();
    const events = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('outbox_events')
        .select(['topic', 'payload'])
        .where('topic', '=', 'api_key.created')
        .execute(),
    );
    expect(events.some((e) => JSON.stringify(e.payload).includes(body.id))).toBe(true);
  });

  it('accepts only the documented scopes (422 naming the field)', async () => {
    const res = await create({ name: 'bad', scopes: ['superuser'] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ location: 'body', pointer: '/scopes/0' });
    expect((await create({ name: 'none', scopes: [] })).statusCode).toBe(422);
  });

  it('refuses expiresAt together with expiresInDays, and an expiry in the past', async () => {
    const both = await create({
      name: 'x',
      scopes: ['read'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      expiresInDays: 3,
    });
    expect(both.statusCode).toBe(422);
    expect(both.json().errors[0].pointer).toBe('/expiresInDays');
    const past = await create({ name: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].pointer).toBe('/expiresAt');
  });

  it('refuses a key broader than the caller (403 naming the scope)', async () => {
    const writer = await t.keyWithScopes(['servers:write', 'api_keys:write']);
    const ok = await create({ name: 'narrower', scopes: ['servers:read'] }, bearer(writer));
    expect(ok.statusCode).toBe(201);
    const broader = await create({ name: 'broader', scopes: ['write'] }, bearer(writer));
    expect(broader.statusCode).toBe(403);
    expect(broader.json()).toMatchObject({ code: 'forbidden' });
    expect(broader.json().detail).toMatch(/scope write/);
    expect(broader.json().detail).toMatch(/jobs:read/);
    const admin = await create({ name: 'admin', scopes: ['admin'] }, bearer(writer));
    expect(admin.statusCode).toBe(403);
    expect(admin.json().detail).toMatch(/scope admin/);
  });

  it('lets an admin key create admin keys, and needs api_keys:write to create any', async () => {
    expect((await create({ name: 'second admin', scopes: ['admin'] })).statusCode).toBe(201);
    const reader = await t.keyWithScopes(['read']);
    const res = await create({ name: 'nope', scopes: ['read'] }, bearer(reader));
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/api_keys:write/);
  });

  it('asks a person for a recent sign-in before creating an admin key (step_up_required)', async () => {
    const owner = await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner']);
    const stale = owner.as({ authTime: new Date(Date.now() - 11 * 60_000) });
    const refused = await create({ name: 'admin by person', scopes: ['admin'] }, stale);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'step_up_required' });
    expect(refused.json().detail).toMatch(/10 minutes/);
    // A non-admin key needs no step-up; a fresh sign-in allows the admin key.
    expect((await create({ name: 'reader by person', scopes: ['read'] }, stale)).statusCode).toBe(201);
    const fresh = owner.as({ authTime: new Date(Date.now() - 60_000) });
    const created = await create({ name: 'admin by person', scopes: ['admin'] }, fresh);
    expect(created.statusCode).toBe(201);
    expect(created.json().createdBy).toBe(`user:${owner.id}`);
  });

  it('keeps an engineer within their roles: servers:write yes, users:read no', async () => {
    const eng = await userWithRoles(t.sc, t.orgId, 'eng@example.com', ['engineer']);
    expect((await create({ name: 'eng ci', scopes: ['servers:write'] }, eng.as())).statusCode).toBe(201);
    const res = await create({ name: 'eng users', scopes: ['users:read'] }, eng.as());
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/scope users:read.*users:read/);
  });
});

describe('listing API keys', () => {
  it('pages newest first with name, scopes, prefix, dates and state', async () => {
    for (const n of ['p1', 'p2', 'p3']) await create({ name: n, scopes: ['read'] });
    const first = (await list('?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.items[0].name).toBe('p3');
    expect(first.items[0]).toHaveProperty('lastUsedAt');
    const next = (await list(`?limit=2&cursor=${first.nextCursor}`)).json();
    expect(next.items[0].name).toBe('p1');
    expect((await list('?cursor=bogus')).statusCode).toBe(422);
  });

  it('needs api_keys:read', async () => {
    const res = await list('', bearer(await t.keyWithScopes(['servers:read'])));
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/api_keys:read/);
  });

  it('shows only the caller’s org', async () => {
    const other = await t.newOrg('other-keys');
    const ids = (await list('?limit=200', other.auth)).json().items.map((k: { name: string }) => k.name);
    expect(ids).toEqual(['other-keys key']);
  });
});

describe('using and revoking API keys', () => {
  it('rejects a revoked key at once (401) and lists it as revoked', async () => {
    const body = (await create({ name: 'to revoke', scopes: ['read'] })).json();
    expect((await servers(bearer(body.token))).statusCode).toBe(200);
    const res = await revoke(body.id);
    expect(res.statusCode).toBe(204);
    const after = await servers(bearer(body.token));
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('api_key_invalid');
    expect((await list('?state=revoked')).json().items.map((k: { id: string }) => k.id)).toContain(body.id);
    expect((await revoke(body.id)).statusCode).toBe(204); // idempotent
    const actions = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('action').where('target_id', '=', body.id).execute(),
    );
    expect(actions.map((a) => a.action).sort()).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it('lets a key revoke itself, but not a broader key', async () => {
    const self = (await create({ name: 'self', scopes: ['servers:read'] })).json();
    expect((await revoke(self.id, bearer(self.token))).statusCode).toBe(204);
    const writer = await t.keyWithScopes(['api_keys:write', 'servers:write']);
    const admin = (await create({ name: 'strong', scopes: ['admin'] })).json();
    const res = await revoke(admin.id, bearer(writer));
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/api_keys:admin/);
  });

  it('answers 404 for an unknown key and 422 for a malformed id', async () => {
    const res = await revoke('0190a8a4-0000-7000-8000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('api_key_not_found');
    expect((await revoke('nope')).statusCode).toBe(422);
  });

  it('says a key expired (401 api_key_expired), also once it was cached as valid', async () => {
    const key = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: t.orgId },
      { name: 'short-lived', scopes: ['read'], expiresAt: new Date(Date.now() + 1500) },
    );
    expect((await servers(bearer(key.token))).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const res = await servers(bearer(key.token));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'api_key_expired' });
    expect(res.json().detail).toMatch(/expired at/);
  });

  it('names the missing scope when a key lacks it (403)', async () => {
    const reader = await t.keyWithScopes(['servers:read']);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: bearer(reader),
      payload: { name: 'x', url: 'https://x.example/mcp' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/servers:write/);
  });
});

describe('GET /v1/me', () => {
  it('describes an API key caller: kind, name, org, scopes, auth method', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'api_key',
      name: 'bootstrap admin',
      email: null,
      org: { id: t.orgId, slug: 'default' },
      roles: [],
      scopes: ['admin'],
      authMethod: 'api_key',
      authTime: null,
    });
  });

  it('describes a person: name, email, roles and permissions', async () => {
    const u = await userWithRoles(t.sc, t.orgId, 'me@example.com', ['viewer']);
    const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: u.as({ name: 'Me Person' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'user',
      id: u.id,
      name: 'Me Person',
      roles: ['viewer'],
      authMethod: 'session',
      permissions: expect.arrayContaining(['servers:list']),
    });
  });

  it('is 401 without credentials', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/me' })).statusCode).toBe(401);
  });
});
