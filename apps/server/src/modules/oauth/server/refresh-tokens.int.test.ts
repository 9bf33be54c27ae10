import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthTestApp, startOAuthApp } from '../../../../test/oauth-app.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { listAuditEvents } from '../../audit/index.ts';

/**
 * Refresh tokens rotate on every use. The same client repeating a refresh within the grace window (here 1 s,
 * 5 s in production) gets the same new pair, so racing refreshes never sign a user out; a use after the window
 * is theft: the whole grant is revoked and a security event is recorded.
 */
const GRACE_MS = 1000;
const REDIRECT = 'http://127.0.0.1:53682/callback';
let s: OAuthTestApp;
let cli: client.Configuration;

beforeAll(async () => {
  s = await startOAuthApp({ refreshGraceMs: GRACE_MS });
  cli = await s.configFor('sprintconnect-cli');
});
afterAll(() => s.stop());

const signIn = (dpop?: client.DPoPHandle) =>
  s.codeFlow(cli, { redirectUri: REDIRECT, scope: 'openid read', ...(dpop === undefined ? {} : { dpop }) });
const refresh = (rt: string, dpop?: client.DPoPHandle) =>
  client.refreshTokenGrant(cli, rt, undefined, dpop === undefined ? undefined : { DPoP: dpop });
const api = (at: string) => fetch(`${s.api}/servers`, { headers: { authorization: `Bearer ${at}` } });

describe('refresh token rotation', () => {
  it('returns a new refresh token on every refresh, and the new one works', async () => {
    const first = await signIn();
    const second = await refresh(first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await api(second.access_token)).status).toBe(200);
    const third = await refresh(second.refresh_token!);
    expect(third.refresh_token).not.toBe(second.refresh_token);
  });

  it('answers two concurrent refreshes of one token with the same new pair, and the user stays signed in', async () => {
    const { refresh_token: rt } = await signIn();
    const [a, b] = await Promise.all([refresh(rt!), refresh(rt!)]);
    expect(a.refresh_token).toBe(b.refresh_token);
    expect(a.access_token).toBe(b.access_token);
    expect((await api(b.access_token)).status).toBe(200);
    const next = await refresh(a.refresh_token!);
    expect((await api(next.access_token)).status).toBe(200);
  });

  it('answers a retry within the grace window (a lost response) with the same pair', async () => {
    const { refresh_token: rt } = await signIn();
    const a = await refresh(rt!);
    const b = await refresh(rt!);
    expect(b.refresh_token).toBe(a.refresh_token);
  });

  it('treats a reuse after the grace window as theft: every token of the grant is revoked and audited', async () => {
    const { refresh_token: rt1 } = await signIn();
    const { refresh_token: rt2 } = await refresh(rt1!);
    await sleep(GRACE_MS + 300);
    await expect(refresh(rt1!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The thief's copy and the legitimate client's newer token die together (RFC 9700 §4.14.2).
    await expect(refresh(rt2!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const events = await withTenant(s.t.database.adminDb, s.t.orgId, (tx) =>
      listAuditEvents(tx, s.t.orgId, 50),
    );
    const reuse = events.find((e) => e.action === 'security.refresh_token_reuse');
    expect(reuse).toBeDefined();
    expect(reuse).toMatchObject({
      actor_type: 'client',
      actor_id: 'sprintconnect-cli',
      target_type: 'oauth_grant',
    });
    expect(reuse!.data).toMatchObject({ clientId: 'sprintconnect-cli', subject: s.user.id });
    expect((reuse!.data as { revokedArtifacts: number }).revokedArtifacts).toBeGreaterThan(0);
  });

  it('does not let another client use the refresh token, and does not revoke the owner for it', async () => {
    const reg = (await (
      await fetch(`${s.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1:1/cb'],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'none',
          application_type: 'native',
        }),
      })
    ).json()) as { client_id: string };
    const other = await s.configFor(reg.client_id);
    const { refresh_token: rt } = await signIn();
    await expect(client.refreshTokenGrant(other, rt!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(rt!)).access_token).toBeTruthy();
  });
});

describe('DPoP-bound refresh tokens of a public client', () => {
  it('share the grace window only with the same DPoP key', async () => {
    const key = client.getDPoPHandle(cli, await client.randomDPoPKeyPair('ES256'));
    const tokens = await signIn(key);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const [a, b] = await Promise.all([
      refresh(tokens.refresh_token!, key),
      refresh(tokens.refresh_token!, key),
    ]);
    expect(a.refresh_token).toBe(b.refresh_token);

    const stranger = client.getDPoPHandle(cli, await client.randomDPoPKeyPair('ES256'));
    await expect(refresh(a.refresh_token!, stranger)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(refresh(a.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Neither refused attempt revoked anything: the holder of the key carries on.
    expect((await refresh(a.refresh_token!, key)).refresh_token).toBeTruthy();
  });
});

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  it('introspects a refresh token for its own client, and reports it inactive after revocation', async () => {
    const { refresh_token: rt } = await signIn();
    const live = await client.tokenIntrospection(cli, rt!);
    expect(live).toMatchObject({
      active: true,
      client_id: 'sprintconnect-cli',
      sub: s.user.id,
      iss: s.issuer,
    });
    await client.tokenRevocation(cli, rt!);
    expect(await client.tokenIntrospection(cli, rt!)).toEqual({ active: false });
    await expect(refresh(rt!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('tells another client nothing about a token (active: false)', async () => {
    const ci = await s.t.sc.oauth.server!.registerClient(
      { type: 'system', id: 'test', orgId: s.t.orgId },
      { name: 'introspector', scopes: ['read'] },
    );
    const other = await s.configFor(ci.clientId, client.ClientSecretBasic(ci.clientSecret));
    const { refresh_token: rt } = await signIn();
    expect(await client.tokenIntrospection(other, rt!)).toEqual({ active: false });
  });

  it('refuses to introspect or revoke a JWT access token (self-contained: it lives 5 minutes)', async () => {
    const { access_token: at } = await signIn();
    await expect(client.tokenIntrospection(cli, at)).rejects.toMatchObject({
      error: 'unsupported_token_type',
    });
  });
});
