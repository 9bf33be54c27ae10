import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../../../test/idp/browser.ts';
import { type SignInApp, startSignInApp } from '../../../../test/idp/sign-in-app.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { listAuditEvents } from '../../audit/index.ts';

const admin = { email: 'owner@example.com', password: 'correct horse battery staple' };
let s: SignInApp;

const audit = async (action: string) =>
  (await withTenant(s.t.database.db, s.t.orgId, (tx) => listAuditEvents(tx, s.t.orgId, 500))).filter(
    (e) => e.action === action,
  );

function login(
  b: TestBrowser,
  body: Record<string, string | undefined>,
  headers: Record<string, string> = {},
) {
  return b.request(`${s.publicUrl}/auth/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ org: 'default', ...body }),
  });
}

beforeAll(async () => {
  s = await startSignInApp({ account: { sub: 'x', email: 'x@example.com', name: 'X' } });
  const first = await s.t.sc.signIn.bootstrapAdmin(s.t.database.adminDb, s.t.orgId, admin);
  expect(first.created).toBe(true);
});
afterAll(() => s?.stop());

describe('the first admin (SPRINTCONNECT_ADMIN_EMAIL / _PASSWORD)', () => {
  it('is created once, as owner of the default org; a later start changes nothing', async () => {
    const again = await s.t.sc.signIn.bootstrapAdmin(s.t.database.adminDb, s.t.orgId, {
      email: admin.email,
      password: 'another password entirely',
    });
    expect(again.created).toBe(false);
    const b = s.browser();
    expect((await login(b, admin)).status).toBe(200);
    const meRes = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    const me = (await meRes.json()) as { id: string };
    expect(me).toMatchObject({ kind: 'user', email: admin.email, roles: ['owner'], authMethod: 'session' });
  });
});

describe('local sign-in (POST /auth/local/login)', () => {
  it('with the right password opens a session and audits it', async () => {
    const b = s.browser();
    const res = await login(b, { email: 'Owner@Example.com', password: admin.password });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { email: admin.email },
      org: { slug: 'default' },
      method: 'password',
    });
    expect(res.headers.getSetCookie()[0]).toMatch(
      /^sc_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(
      (await b.request(`${s.publicUrl}/v1/servers`, { headers: { accept: 'application/json' } })).status,
    ).toBe(200);
    expect((await audit('auth.login.succeeded'))[0]).toMatchObject({ data: { method: 'password' } });
  });

  it('a wrong password, an unknown email and an unknown org all get the same 401', async () => {
    const b = s.browser();
    for (const body of [
      { email: admin.email, password: 'wrong' },
      { email: 'nobody@example.com', password: 'wrong' },
      { org: 'no-such-org', email: admin.email, password: admin.password },
    ]) {
      const res = await login(b, body);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'invalid_credentials' });
    }
    expect(b.cookie(s.publicUrl, 'sc_session')).toBeUndefined();
    const reasons = (await audit('auth.login.failed')).map((e) => (e.data as { reason: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['wrong_password', 'unknown_email']));
    // A success resets the count, so the owner is not slowed down by the one failure above.
    expect((await login(b, admin)).status).toBe(200);
  });

  it('repeated failures make the account wait (429 + Retry-After), even for the right password', async () => {
    const carol = { email: 'carol@example.com', password: 'carol has a long password' };
    await s.t.sc.signIn.bootstrapAdmin(s.t.database.adminDb, s.t.orgId, carol);
    const b = s.browser();
    for (let i = 0; i < 4; i++) expect((await login(b, { ...carol, password: 'nope' })).status).toBe(401);
    const held = await login(b, carol);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(
      (await audit('auth.login.failed')).some((e) => (e.data as { reason: string }).reason === 'throttled'),
    ).toBe(true);
    s.clock.advance(2000);
    expect((await login(b, carol)).status).toBe(200);
  });

  it('a sign-in started from another site is refused (login CSRF)', async () => {
    const res = await login(s.browser(), admin, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'csrf_rejected' });
  });

  it('the sign-in page posts a plain form and lands where it was asked to', async () => {
    const b = s.browser();
    const page = await b.request(`${s.publicUrl}/auth/login?org=default&returnTo=%2Fservers`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`action="${s.publicUrl}/auth/local/login"`);
    expect(html).toContain('name="returnTo" value="/servers"');
    const res = await b.request(`${s.publicUrl}/auth/local/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.publicUrl },
      body: new URLSearchParams({ org: 'default', ...admin, returnTo: '/servers' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${s.publicUrl}/servers`);
    expect(b.cookie(s.publicUrl, 'sc_session')).toBeDefined();
  });
});

describe('step-up before a sensitive change', () => {
  const putSso = (b: TestBrowser) =>
    b.request(`${s.publicUrl}/v1/sso`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json', origin: s.publicUrl },
      body: JSON.stringify({
        issuer: s.idp.issuer,
        clientId: s.idp.clientId,
        clientSecret: s.idp.clientSecret,
      }),
    });

  it('an owner signed in over 10 minutes ago must re-enter the password before changing SSO', async () => {
    const b = s.browser();
    await login(b, admin);
    s.clock.advance(11 * 60 * 1000);
    const stale = await putSso(b);
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({
      code: 'step_up_required',
      links: { stepUp: `${s.publicUrl}/auth/step-up` },
    });
    const stepUp = (password: string) =>
      b.request(`${s.publicUrl}/auth/step-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', origin: s.publicUrl },
        body: JSON.stringify({ password }),
      });
    expect((await stepUp('wrong')).status).toBe(401);
    const ok = await stepUp(admin.password);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ steppedUp: true });
    expect((await putSso(b)).status).toBe(200);
    expect((await audit('auth.step_up')).length).toBeGreaterThanOrEqual(1);
  });

  it('an SSO user steps up at the provider (prompt=login, max_age=0); the old session is ended', async () => {
    const b = s.browser();
    expect((await s.ssoLogin(b)).status).toBe(303);
    const meRes = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    const me = (await meRes.json()) as { id: string };
    await s.t.sc.rbac.users.grantAsSystem(
      { type: 'system', id: 'test', orgId: s.t.orgId },
      { type: 'user', id: me.id },
      ['owner'],
    );
    const oldToken = b.cookie(s.publicUrl, 'sc_session')!;
    s.clock.advance(11 * 60 * 1000);
    expect((await putSso(b)).status).toBe(403);
    const asked = await b.request(`${s.publicUrl}/auth/step-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', origin: s.publicUrl },
      body: '{}',
    });
    const { redirectTo } = (await asked.json()) as { redirectTo: string };
    expect(redirectTo).toBe(`${s.publicUrl}/auth/sso/default/login?stepUp=true`);
    const back = await b.navigate(redirectTo, (u) => u.startsWith(s.publicUrl) && !u.includes('/auth/sso/'));
    expect(back.status).toBe(303);
    const atIdp = s.idp.authorizations.at(-1)!;
    expect(atIdp.get('prompt')).toBe('login');
    expect(atIdp.get('max_age')).toBe('0');
    expect(b.cookie(s.publicUrl, 'sc_session')).not.toBe(oldToken);
    expect((await putSso(b)).status).toBe(200);
    const replay = await fetch(`${s.publicUrl}/v1/me`, { headers: { cookie: `sc_session=${oldToken}` } });
    expect(replay.status).toBe(401);
  });
});
