import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import {
  hmacJws,
  makeSigner,
  manifestFor,
  type TestSigner,
  tamper,
  unsignedJws,
} from '../../../test/manifest-signer.ts';
import { withTenant } from '../../platform/db/index.ts';
import { policyHash } from './jcs.ts';

let t: TestApp;
let ed: TestSigner;
let ec: TestSigner;
let stranger: TestSigner;
let otherOrgKey: TestSigner;
const keyIds = new Map<string, string>();

const TOOLS = [{ name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } }];
const urlOf = (n: string) => `https://${n}.manifests.example/mcp`;
const manifest = (n: string, extra: Record<string, unknown> = {}) =>
  manifestFor(urlOf(n), TOOLS, { iss: 'acme', ...extra });

beforeAll(async () => {
  t = await startTestApp();
  ed = await makeSigner('EdDSA', 'k-ed', 'acme');
  ec = await makeSigner('ES256', 'k-ec', 'acme');
  stranger = await makeSigner('EdDSA', 'k-stranger', 'acme');
  otherOrgKey = await makeSigner('EdDSA', 'k-other-org', 'acme');
  for (const s of [ed, ec]) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/trust/keys',
      headers: t.auth,
      payload: { issuer: s.issuer, jwk: s.publicJwk },
    });
    keyIds.set(s.kid, res.json().id);
  }
  const other = await t.newOrg('manifest-other');
  await t.app.inject({
    method: 'POST',
    url: '/v1/trust/keys',
    headers: other.auth,
    payload: { issuer: 'acme', jwk: otherOrgKey.publicJwk },
  });
});
afterAll(() => t.stop());

const register = (name: string, extra: Record<string, unknown> = {}, headers = t.auth) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers,
    payload: { name, url: urlOf(name), autoDiscover: false, ...extra },
  });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });
const put = (id: string, jws: string) =>
  t.app.inject({
    method: 'PUT',
    url: `/v1/servers/${id}/manifest`,
    headers: t.auth,
    payload: { manifest: jws },
  });
const rollback = (id: string) =>
  t.app.inject({ method: 'POST', url: `/v1/servers/${id}/manifest/rollback`, headers: t.auth });

const TABLES = ['servers', 'server_manifests', 'audit_events', 'outbox_events'] as const;
async function counts(orgId = t.orgId) {
  return withTenant(t.database.adminDb, orgId, async (tx) => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(tx);
      out[table] = Number(r.rows[0]!.n);
    }
    return out;
  });
}
async function events(topic: string, serverId: string) {
  return withTenant(t.database.adminDb, t.orgId, (tx) =>
    tx.selectFrom('outbox_events').selectAll().where('topic', '=', topic).execute(),
  ).then((rows) => rows.filter((e) => (e.payload as { target: { id: string } }).target.id === serverId));
}

describe('signed manifests at registration (story 8.4)', () => {
  it('accepts a manifest signed by a trusted key and stores issuer, kid, signature and policy hash as version 1', async () => {
    const payload = manifest('signed');
    const jws = await ed.sign(payload);
    const res = await register('signed', { manifest: jws });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    expect(res.json().manifest).toMatchObject({
      status: 'verified',
      version: 1,
      issuer: 'acme',
      kid: 'k-ed',
      policyHash: policyHash(payload),
    });
    const versions = (await get(`/v1/servers/${id}/manifests`)).json();
    expect(versions.items).toEqual([
      expect.objectContaining({
        version: 1,
        state: 'current',
        source: 'registration',
        issuer: 'acme',
        kid: 'k-ed',
        alg: 'EdDSA',
        signature: jws.split('.')[2],
        policyHash: policyHash(payload),
        counts: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
      }),
    ]);
    const current = (await get(`/v1/servers/${id}/manifest`)).json();
    expect(current).toMatchObject({ version: 1, jws, payload, status: 'verified' });
    expect((await get(`/v1/servers/${id}`)).json().manifest.status).toBe('verified');
    expect(await events('server.manifest_accepted', id)).toHaveLength(1);
  });

  it('refuses each hostile manifest with its own 422 and registers nothing', async () => {
    const p = manifest('hostile');
    const cases: [string, Promise<string> | string][] = [
      ['manifest_alg_not_allowed', unsignedJws(p, 'k-ed')],
      ['manifest_alg_not_allowed', hmacJws(p, 'k-ed')],
      ['manifest_key_untrusted', stranger.sign(p)],
      ['manifest_key_untrusted', otherOrgKey.sign(p)],
      ['manifest_signature_invalid', ed.sign(p).then((j) => tamper(j, { ...p, tools: [] }))],
      ['manifest_header_not_allowed', stranger.sign(p, { kid: 'k-ed', jwk: stranger.publicJwk })],
      ['manifest_alg_not_allowed', (await makeSigner('ES256', 'k-ed', 'acme')).sign(p)],
      ['manifest_issuer_mismatch', ed.sign({ ...p, iss: 'mallory' })],
      ['manifest_server_mismatch', ed.sign(manifest('elsewhere'))],
      ['manifest_invalid', ed.sign({ iss: 'acme', server: p.server, tools: [{ description: 'no name' }] })],
      ['manifest_malformed', 'this is not a JWS'],
    ];
    const before = await counts();
    for (const [code, jws] of cases) {
      const res = await register('hostile', { manifest: await jws });
      expect([code, res.statusCode, res.json().code]).toEqual([code, 422, code]);
      expect(res.json().errors[0].pointer).toBe('/manifest');
    }
    expect(await counts()).toEqual(before);
  });
});

describe('manifest versions and rollback', () => {
  it('a later PUT adds a version and supersedes the previous one; PATCH cannot carry a manifest', async () => {
    const id = (await register('versions', { manifest: await ed.sign(manifest('versions')) })).json().id;
    const v2 = manifest('versions', { version: '2.0.0' });
    const res = await put(id, await ec.sign(v2));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      version: 2,
      kid: 'k-ec',
      alg: 'ES256',
      source: 'submission',
      state: 'current',
    });
    const states = (await get(`/v1/servers/${id}/manifests`))
      .json()
      .items.map((v: { state: string }) => v.state);
    expect(states).toEqual(['current', 'superseded']);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/servers/${id}`,
      headers: t.auth,
      payload: { manifest: await ed.sign(v2) },
    });
    expect(patch.statusCode).toBe(422);
  });

  it('rolls back to the last good version, never to one rolled back from nor one whose key left the store', async () => {
    const id = (await register('rollback', { manifest: await ed.sign(manifest('rollback')) })).json().id;
    await put(id, await ed.sign(manifest('rollback', { version: 'bad' })));
    const first = await rollback(id);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ version: 1, state: 'current' });
    expect((await get(`/v1/servers/${id}`)).json().manifest.version).toBe(1);
    const again = await rollback(id);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('manifest_rollback_unavailable');

    // v3 signed by the P-256 key, v4 by Ed25519; then the P-256 key is removed from the trust store.
    await put(id, await ec.sign(manifest('rollback', { version: '3' })));
    await put(id, await ed.sign(manifest('rollback', { version: '4' })));
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/trust/keys/${keyIds.get('k-ec')}`,
      headers: t.auth,
    });
    expect(removed.statusCode).toBe(204);
    const back = await rollback(id);
    expect(back.json()).toMatchObject({ version: 1, kid: 'k-ed' });
    const states = (await get(`/v1/servers/${id}/manifests`))
      .json()
      .items.map((v: { version: number; state: string }) => `${v.version}:${v.state}`);
    expect(states).toEqual(['4:rolled_back', '3:superseded', '2:rolled_back', '1:current']);
    const page1 = (await get(`/v1/servers/${id}/manifests?limit=3`)).json();
    expect(page1.items.map((v: { version: number }) => v.version)).toEqual([4, 3, 2]);
    const page2 = (await get(`/v1/servers/${id}/manifests?limit=3&cursor=${page1.nextCursor}`)).json();
    expect([page2.items.map((v: { version: number }) => v.version), page2.nextCursor]).toEqual([[1], null]);
    const rolled = await events('server.manifest_rolled_back', id);
    expect(rolled.map((e) => (e.payload as { data: unknown }).data)).toContainEqual(
      expect.objectContaining({ from: 4, to: 1, skipped: [{ version: 3, code: 'manifest_key_untrusted' }] }),
    );
    // The removed key's manifests are refused from now on.
    const late = await put(id, await ec.sign(manifest('rollback')));
    expect(late.json().code).toBe('manifest_key_untrusted');
  });

  it('a server without a manifest says so: status none, 404 on its manifest, drift and rollback', async () => {
    const id = (await register('plain')).json().id;
    expect((await get(`/v1/servers/${id}`)).json().manifest).toEqual({
      status: 'none',
      version: null,
      issuer: null,
      kid: null,
      policyHash: null,
      checkedAt: null,
      driftedSince: null,
    });
    for (const res of [
      await get(`/v1/servers/${id}/manifest`),
      await get(`/v1/servers/${id}/manifest/drift`),
      await rollback(id),
    ]) {
      expect([res.statusCode, res.json().code]).toEqual([404, 'manifest_not_found']);
    }
    expect((await get(`/v1/servers/${id}/manifests`)).json().items).toEqual([]);
    const listed = (await get('/v1/servers?q=plain')).json().items[0];
    expect(listed.manifest.status).toBe('none');
  });

  it('submitting needs servers:update; another org cannot read or replace a manifest', async () => {
    const id = (await register('guarded', { manifest: await ed.sign(manifest('guarded')) })).json().id;
    const reader = { authorization: `Bearer ${await t.keyWithScopes(['read'])}` };
    const jws = await ed.sign(manifest('guarded'));
    const denied = await t.app.inject({
      method: 'PUT',
      url: `/v1/servers/${id}/manifest`,
      headers: reader,
      payload: { manifest: jws },
    });
    expect(denied.statusCode).toBe(403);
    const other = await t.newOrg('manifest-intruder');
    const theirs = await t.app.inject({
      method: 'PUT',
      url: `/v1/servers/${id}/manifest`,
      headers: other.auth,
      payload: { manifest: jws },
    });
    expect(theirs.statusCode).toBe(404);
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/servers/${id}/manifests`,
      headers: other.auth,
    });
    expect(read.statusCode).toBe(404);
  });
});

describe('require signed manifests', () => {
  it('refuses a registration without a manifest, or with an unsigned or untrusted one, and changes nothing', async () => {
    const org = await t.newOrg('require-signed');
    const signer = await makeSigner('EdDSA', 'org-key', 'acme');
    const h = org.auth;
    await t.app.inject({
      method: 'POST',
      url: '/v1/trust/keys',
      headers: h,
      payload: { issuer: 'acme', jwk: signer.publicJwk },
    });
    const on = await t.app.inject({
      method: 'PUT',
      url: '/v1/trust/settings',
      headers: h,
      payload: { requireSignedManifests: true },
    });
    expect(on.statusCode).toBe(200);
    const p = manifest('strict');
    const before = await counts(org.orgId);
    const missing = await register('strict', {}, h);
    expect([missing.statusCode, missing.json().code]).toEqual([422, 'manifest_required']);
    expect(missing.json().detail).toContain('requires a signed manifest');
    const unsigned = await register('strict', { manifest: unsignedJws(p, 'org-key') }, h);
    expect([unsigned.statusCode, unsigned.json().code]).toEqual([422, 'manifest_alg_not_allowed']);
    const untrusted = await register('strict', { manifest: await ed.sign(p) }, h);
    expect([untrusted.statusCode, untrusted.json().code]).toEqual([422, 'manifest_key_untrusted']);
    expect(await counts(org.orgId)).toEqual(before);

    const ok = await register('strict', { manifest: await signer.sign(p) }, h);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().manifest).toMatchObject({ status: 'verified', kid: 'org-key' });
    // The org that does not require them still registers without a manifest.
    expect((await register('lenient')).statusCode).toBe(201);
  });
});
