import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignInApp, startSignInApp } from '../../../../test/idp/sign-in-app.ts';
import { closedPortUrl } from '../../../../test/mcp-servers/loopback.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { listAuditEvents } from '../../audit/index.ts';

const alice = { sub: 'alice-sub', email: 'Alice@Example.com', name: 'Alice Liddell' };
let s: SignInApp;

const audit = async (action: string) =>
  (await withTenant(s.t.database.db, s.t.orgId, (tx) => listAuditEvents(tx, s.t.orgId, 200))).filter(
    (e) => e.action === action,
  );

beforeAll(async () => {
  s = await startSignInApp({ account: alice });
});
afterAll(() => s?.stop());

describe('SSO configuration (PUT/GET /v1/sso)', () => {
  it('discovers the provider, stores the secret sealed, and never returns it', async () => {
    const put = await s.configureSso({ allowedEmailDomains: ['example.com'] });
    expect(put.status).toBe(200);
    const body = await put.json();
    expect(body).toMatchObject({
      issuer: s.idp.issuer,
      clientId: s.idp.clientId,
      clientSecretSet: true,
      redirectUri: `${s.publicUrl}/auth/sso/callback`,
      loginUrl: `${s.publicUrl}/auth/sso/default/login`,
      endpoints: { authorization: `${s.idp.issuer}/auth`, token: `${s.idp.issuer}/token` },
    });
    const got = await (await fetch(`${s.publicUrl}/v1/sso`, { headers: s.t.auth })).text();
    expect(got).not.toContain(s.idp.clientSecret);
    const { rows } = await s.t.database.adminPool.query('SELECT client_secret FROM sso_configs');
    expect(Buffer.from(rows[0].client_secret).toString('latin1')).not.toContain(s.idp.clientSecret);
    expect(await audit('sso.configured')).toHaveLength(1);
  });

  it('refuses an issuer that cannot be discovered, and plain http to a non-loopback host', async () => {
    // A freed ephemeral port: port 9 would now be refused up front as a Fetch "bad port" (ADR 0027).
    const down = await s.configureSso({ issuer: await closedPortUrl('') });
    expect(down.status).toBe(422);
    expect(await down.json()).toMatchObject({ code: 'sso_discovery_failed' });
    const http = await s.configureSso({ issuer: 'http://login.example.com' });
    expect(await http.json()).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/issuer' }] });
  });
});

describe('SSO sign-in', () => {
  it('redirects to the provider with PKCE S256, state and nonce, keeping the attempt in an httpOnly cookie', async () => {
    const b = s.browser();
    const res = await b.request(`${s.publicUrl}/auth/sso/default/login`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`${s.idp.issuer}/auth`);
    const q = to.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')?.length).toBeGreaterThan(20);
    expect(q.get('nonce')?.length).toBeGreaterThan(20);
    expect(q.get('redirect_uri')).toBe(`${s.publicUrl}/auth/sso/callback`);
    expect(q.get('scope')).toBe('openid email profile');
    expect(res.headers.getSetCookie()[0]).toMatch(
      /^sc_sso_state=[A-Za-z0-9_-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  it('creates the user from the provider claims and opens a session the API accepts', async () => {
    const b = s.browser();
    const res = await s.ssoLogin(b);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${s.publicUrl}/`);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('sc_session='))!;
    expect(setCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toMatch(/Secure|Domain/);

    const me = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      kind: 'user',
      name: 'Alice Liddell',
      email: 'alice@example.com',
      org: { slug: 'default' },
      authMethod: 'session',
      roles: ['viewer'],
    });
    const servers = await b.request(`${s.publicUrl}/v1/servers`, { headers: { accept: 'application/json' } });
    expect(servers.status).toBe(200);
    expect(await audit('user.created')).toHaveLength(1);
    expect((await audit('auth.login.succeeded'))[0]).toMatchObject({
      actor_type: 'user',
      data: { method: 'sso' },
    });
  });

  it('signs the same user in again and follows a name change at the provider', async () => {
    s.idp.next = { account: { ...alice, name: 'Alice Pleasance Liddell' } };
    const b = s.browser();
    expect((await s.ssoLogin(b)).status).toBe(303);
    const meRes = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    const me = (await meRes.json()) as { name: string };
    expect(me.name).toBe('Alice Pleasance Liddell');
    expect(await audit('user.created')).toHaveLength(1);
    s.idp.next = { account: alice };
  });

  it('logout ends the session on the server: the cookie no longer works (401 with a login link)', async () => {
    const b = s.browser();
    await s.ssoLogin(b);
    const token = b.cookie(s.publicUrl, 'sc_session')!;
    const noOrigin = await b.request(`${s.publicUrl}/auth/logout`, { method: 'POST' });
    expect(noOrigin.status).toBe(403);
    const out = await b.request(`${s.publicUrl}/auth/logout`, {
      method: 'POST',
      headers: { origin: s.publicUrl },
    });
    expect(out.status).toBe(204);
    expect(b.cookie(s.publicUrl, 'sc_session')).toBeUndefined();
    const replay = await fetch(`${s.publicUrl}/v1/me`, { headers: { cookie: `sc_session=${token}` } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      code: 'session_invalid',
      links: { login: `${s.publicUrl}/auth/sso/default/login` },
    });
    expect((await audit('auth.logout')).length).toBeGreaterThanOrEqual(1);
  });

  it('a cookie-authenticated change from another origin is refused (CSRF)', async () => {
    const b = s.browser();
    await s.ssoLogin(b);
    const body = JSON.stringify({ name: 'x', url: 'https://mcp.example.com/mcp' });
    const evil = await b.request(`${s.publicUrl}/v1/servers`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body,
    });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ code: 'csrf_rejected' });
  });

  it('an expired session answers 401 session_expired pointing to the login', async () => {
    const b = s.browser();
    await s.ssoLogin(b);
    s.clock.advance(13 * 60 * 60 * 1000);
    try {
      const res = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(401);
      const p = (await res.json()) as { detail: string };
      expect(p).toMatchObject({
        code: 'session_expired',
        links: { login: `${s.publicUrl}/auth/sso/default/login` },
      });
      expect(p.detail).toContain('Sign in again');
    } finally {
      s.clock.advance(-13 * 60 * 60 * 1000);
    }
  });
});
