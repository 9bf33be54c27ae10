import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSecondApp } from '../../../test/harness.ts';
import type { TestBrowser } from '../../../test/idp/browser.ts';
import { type SignInApp, startSignInApp } from '../../../test/idp/sign-in-app.ts';
import { Browser } from '../../../test/oauth-browser.ts';
import { withTenant } from '../../platform/db/index.ts';
import { listAuditEvents } from '../audit/index.ts';

/**
 * Issue 10 point 5, over real HTTP, Postgres and our own authorization server: a deactivated user cannot sign
 * in, their session, access tokens (in every process, within a second) and refresh tokens stop working; the
 * org keeps someone who can administer it; deactivating yourself is refused.
 */
let s: SignInApp;
let second: Awaited<ReturnType<typeof startSecondApp>>;
const PASSWORD = 'a long enough passphrase';
const REDIRECT = 'http://127.0.0.1:9/callback';

beforeAll(async () => {
  s = await startSignInApp({ account: { sub: 'unused', email: 'unused@example.com', name: 'Unused' } });
  second = await startSecondApp(s.t, { env: { SPRINTCONNECT_PUBLIC_URL: s.publicUrl } });
  await eventually(
    async () => (second.sc.rbac.permissions.stats().listening ? true : undefined),
    10_000,
    'the second process listening',
  );
});
afterAll(async () => {
  await second?.stop();
  await s?.stop();
});

const api = (method: string, path: string, auth: Record<string, string> = s.t.auth) =>
  fetch(`${s.publicUrl}${path}`, { method, headers: auth });

const asJson = async (res: Response) => ({
  status: res.status,
  ...((await res.json()) as { code?: string }),
});

const audit = async (action: string, target: string) =>
  (await withTenant(s.t.database.db, s.t.orgId, (tx) => listAuditEvents(tx, s.t.orgId, 1000))).filter(
    (e) => e.action === action && e.target_id === target,
  );

/** A local user made the way an admin makes one: invited, then accepted in a browser (which signs them in). */
async function person(email: string, roles: string[]): Promise<{ id: string; browser: TestBrowser }> {
  const res = await fetch(`${s.publicUrl}/v1/users`, {
    method: 'POST',
    headers: { ...s.t.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ email, roles }),
  });
  expect(res.status).toBe(201);
  const { user, invitation } = (await res.json()) as { user: { id: string }; invitation: { token: string } };
  const browser = s.browser();
  const accepted = await browser.request(`${s.publicUrl}/auth/invitation/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token: invitation.token, password: PASSWORD }),
  });
  expect(accepted.status).toBe(200);
  return { id: user.id, browser };
}

const me = (b: TestBrowser) => b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });

/** Deactivates or reactivates from a person's session (state-changing: our own Origin, ADR 0010). */
const asPerson = (b: TestBrowser, userId: string, to: 'deactivate' | 'reactivate') =>
  b.request(`${s.publicUrl}/v1/users/${userId}/${to}`, {
    method: 'POST',
    headers: { accept: 'application/json', origin: s.publicUrl },
  });

const passwordLogin = (email: string) =>
  s.browser().request(`${s.publicUrl}/auth/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ org: 'default', email, password: PASSWORD }),
  });

/** The CLI's authorization code flow at our /oidc, signing in with the password. */
async function tokensFor(email: string) {
  const cli = await client.discovery(
    new URL(`${s.publicUrl}/oidc`),
    'sprintconnect-cli',
    undefined,
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(cli, {
    redirect_uri: REDIRECT,
    scope: 'openid read',
    resource: `${s.publicUrl}/v1`,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const back = await new Browser().authorize(url, REDIRECT, {
    login: { org: 'default', email, password: PASSWORD },
  });
  const tokens = await client.authorizationCodeGrant(cli, back, {
    pkceCodeVerifier: verifier,
    idTokenExpected: true,
  });
  return { cli, tokens };
}

const bearer = (at: string) => ({ authorization: `Bearer ${at}` });

describe('deactivating a user (issue 10 point 5)', () => {
  it('refuses sign-in, and ends their session, access tokens in every process, and refresh tokens', async () => {
    const ivy = await person('ivy@example.com', ['engineer']);
    const { cli, tokens } = await tokensFor('ivy@example.com');
    expect((await me(ivy.browser)).status).toBe(200);
    expect((await api('GET', '/v1/me', bearer(tokens.access_token))).status).toBe(200);
    // The other process has this user's permissions cached before the deactivation.
    const onSecond = () =>
      second.app.inject({ method: 'GET', url: '/v1/servers', headers: bearer(tokens.access_token) });
    expect((await onSecond()).statusCode).toBe(200);

    const res = await api('POST', `/v1/users/${ivy.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ivy.id, status: 'disabled', effectivePermissions: [] });

    expect(await asJson(await me(ivy.browser))).toMatchObject({ status: 401, code: 'session_invalid' });
    const here = await api('GET', '/v1/me', bearer(tokens.access_token));
    expect(await asJson(here)).toMatchObject({ status: 401, code: 'token_revoked' });
    expect(here.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const there = await eventually(
      async () => {
        const r = await onSecond();
        return r.statusCode === 200 ? undefined : r;
      },
      5000,
      'the second process refusing the token',
    );
    expect(there.statusCode).toBe(401);
    expect(there.json().code).toBe('token_revoked');
    await expect(client.refreshTokenGrant(cli, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await passwordLogin('ivy@example.com')).status).toBe(401);
    expect(await audit('user.deactivated', ivy.id)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ from: 'active', to: 'disabled' }) }),
    ]);
  });

  it('is idempotent: a second deactivation answers the same and records nothing more', async () => {
    const jo = await person('jo@example.com', ['viewer']);
    expect((await api('POST', `/v1/users/${jo.id}/deactivate`)).status).toBe(200);
    const again = await api('POST', `/v1/users/${jo.id}/deactivate`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('disabled');
    expect(await audit('user.deactivated', jo.id)).toHaveLength(1);
  });

  it('reactivation lets the user sign in again, but what the deactivation ended stays ended', async () => {
    const kim = await person('kim@example.com', ['engineer']);
    const { cli, tokens } = await tokensFor('kim@example.com');
    expect((await api('POST', `/v1/users/${kim.id}/deactivate`)).status).toBe(200);
    const res = await api('POST', `/v1/users/${kim.id}/reactivate`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('active');
    expect((await passwordLogin('kim@example.com')).status).toBe(200);
    expect((await me(kim.browser)).status).toBe(401);
    await expect(client.refreshTokenGrant(cli, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await audit('user.reactivated', kim.id)).toHaveLength(1);
  });
});

describe('who may be deactivated', () => {
  it('the last active user able to administer the org cannot be deactivated (409 last_admin), nor can you deactivate yourself', async () => {
    const lee = await person('lee@example.com', ['admin']);
    expect(await asJson(await api('POST', `/v1/users/${lee.id}/deactivate`))).toMatchObject({
      status: 409,
      code: 'last_admin',
    });
    const max = await person('max@example.com', ['admin']);
    expect(await asJson(await asPerson(max.browser, max.id, 'deactivate'))).toMatchObject({
      status: 409,
      code: 'cannot_deactivate_self',
    });
    // With a second administrator, one of them may go; then the other is the last one again.
    expect((await asPerson(max.browser, lee.id, 'deactivate')).status).toBe(200);
    expect(await asJson(await api('POST', `/v1/users/${max.id}/deactivate`))).toMatchObject({
      status: 409,
      code: 'last_admin',
    });
    expect((await me(max.browser)).status).toBe(200);
  });

  it('an admin cannot deactivate an owner (403), and the last active owner stays (409 last_owner)', async () => {
    const ned = await person('ned@example.com', ['owner']);
    const ola = await person('ola@example.com', ['admin']);
    expect(await asJson(await asPerson(ola.browser, ned.id, 'deactivate'))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect(await asJson(await api('POST', `/v1/users/${ned.id}/deactivate`))).toMatchObject({
      status: 409,
      code: 'last_owner',
    });
    expect((await me(ned.browser)).status).toBe(200);
  });

  it('needs users:write', async () => {
    const pat = await person('pat@example.com', ['viewer']);
    const reader = await s.t.keyWithScopes(['users:read']);
    expect((await api('POST', `/v1/users/${pat.id}/deactivate`, bearer(reader))).status).toBe(403);
    expect((await me(pat.browser)).status).toBe(200);
  });
});
