import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { makeSigner } from '../../../test/manifest-signer.ts';
import { withTenant } from '../../platform/db/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const addKey = (payload: Record<string, unknown>, headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/trust/keys', headers, payload });

async function rows(orgId: string, table: 'trust_keys' | 'audit_events') {
  return withTenant(t.database.adminDb, orgId, async (tx) => {
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(tx);
    return r.rows;
  });
}

describe('trust store (story 8.4)', () => {
  it('adds an Ed25519 and a P-256 public key with issuer and kid, lists them, and audits each', async () => {
    const ed = await makeSigner('EdDSA', 'release-ed', 'platform-team');
    const ec = await makeSigner('ES256', 'release-ec', 'platform-team');
    const a = await addKey({ issuer: 'platform-team', jwk: ed.publicJwk });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ issuer: 'platform-team', kid: 'release-ed', alg: 'EdDSA' });
    expect(a.headers.location).toBe(`/v1/trust/keys/${a.json().id}`);
    expect((await addKey({ issuer: 'platform-team', jwk: ec.publicJwk })).json()).toMatchObject({
      kid: 'release-ec',
      alg: 'ES256',
      jwk: { kty: 'EC', crv: 'P-256' },
    });
    const list = (await t.app.inject({ method: 'GET', url: '/v1/trust/keys', headers: t.auth })).json();
    expect(list.items.map((k: { kid: string }) => k.kid)).toEqual(['release-ed', 'release-ec']);
    const audit = await rows(t.orgId, 'audit_events');
    expect(audit.filter((e) => e.action === 'trust.key_added')).toHaveLength(2);
  });

  it('refuses a private JWK with 422 trust_key_private, stores nothing and never echoes the secret', async () => {
    const s = await makeSigner('EdDSA', 'leaked', 'platform-team');
    const before = (await rows(t.orgId, 'trust_keys')).length;
    const res = await addKey({ issuer: 'platform-team', jwk: s.privateJwk });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'trust_key_private' });
    expect(res.body).not.toContain(String(s.privateJwk.d));
    expect(await rows(t.orgId, 'trust_keys')).toHaveLength(before);
    const audit = await rows(t.orgId, 'audit_events');
    expect(JSON.stringify(audit)).not.toContain(String(s.privateJwk.d));
  });

  it('refuses RSA, HMAC and alg none keys with 422 naming the allowed algorithms', async () => {
    for (const jwk of [
      { kty: 'RSA', n: 'sXch', e: 'AQAB', kid: 'rsa' },
      { kty: 'oct', alg: 'HS256', kid: 'hmac' },
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
        alg: 'none',
        kid: 'none',
      },
    ]) {
      const res = await addKey({ issuer: 'x', jwk });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('trust_key_alg_not_allowed');
      expect(res.json().detail).toContain('Ed25519');
      expect(res.json().detail).toContain('P-256');
    }
  });

  it('a kid is unique in an org (409), but another org may use it; orgs never see each other’s keys', async () => {
    const s = await makeSigner('EdDSA', 'shared-kid', 'a');
    expect((await addKey({ issuer: 'a', jwk: s.publicJwk })).statusCode).toBe(201);
    const again = await addKey({
      issuer: 'a',
      jwk: (await makeSigner('EdDSA', 'shared-kid', 'a')).publicJwk,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('trust_key_kid_taken');
    const other = await t.newOrg('trust-other');
    expect((await addKey({ issuer: 'b', jwk: s.publicJwk }, other.auth)).statusCode).toBe(201);
    const theirs = (await t.app.inject({ method: 'GET', url: '/v1/trust/keys', headers: other.auth })).json();
    expect(theirs.items.map((k: { issuer: string }) => k.issuer)).toEqual(['b']);
    const mine = (await t.app.inject({ method: 'GET', url: '/v1/trust/keys', headers: t.auth })).json();
    const theirId = theirs.items[0].id;
    expect(mine.items.some((k: { id: string }) => k.id === theirId)).toBe(false);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/trust/keys/${theirId}`, headers: t.auth });
    expect(del.statusCode).toBe(404);
    expect(del.json().code).toBe('trust_key_not_found');
  });

  it('removes a key (204, audited); removing it again is 404', async () => {
    const s = await makeSigner('ES256', 'to-remove', 'a');
    const id = (await addKey({ issuer: 'a', jwk: s.publicJwk })).json().id;
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/trust/keys/${id}`, headers: t.auth });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(404);
    const audit = await rows(t.orgId, 'audit_events');
    expect(audit.some((e) => e.action === 'trust.key_removed' && e.target_id === id)).toBe(true);
  });

  it('needs trust:write to change the store and trust:read to see it', async () => {
    const reader = { authorization: `Bearer ${await t.keyWithScopes(['read'])}` };
    const s = await makeSigner('EdDSA', 'by-reader', 'a');
    expect((await addKey({ issuer: 'a', jwk: s.publicJwk }, reader)).statusCode).toBe(403);
    const settings = {
      method: 'PUT' as const,
      url: '/v1/trust/settings',
      payload: { requireSignedManifests: true },
    };
    expect((await t.app.inject({ ...settings, headers: reader })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/trust/keys', headers: reader })).statusCode).toBe(
      200,
    );
    const none = { authorization: `Bearer ${await t.keyWithScopes(['servers:read'])}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/trust/keys', headers: none })).statusCode).toBe(
      403,
    );
  });

  it('reads and changes the require-signed-manifests setting, audited with the previous value', async () => {
    const get = () => t.app.inject({ method: 'GET', url: '/v1/trust/settings', headers: t.auth });
    expect((await get()).json()).toEqual({ requireSignedManifests: false });
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/trust/settings',
      headers: t.auth,
      payload: { requireSignedManifests: true },
    });
    expect(put.json()).toEqual({ requireSignedManifests: true });
    expect((await get()).json()).toEqual({ requireSignedManifests: true });
    const audit = await rows(t.orgId, 'audit_events');
    const change = audit.find((e) => e.action === 'trust.settings_changed');
    expect(change?.data).toEqual({ requireSignedManifests: true, previous: false });
  });
});
