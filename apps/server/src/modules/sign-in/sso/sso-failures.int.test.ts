import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignInApp, startSignInApp } from '../../../../test/idp/sign-in-app.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { listAuditEvents } from '../../audit/index.ts';

const bob = { sub: 'bob-sub', email: 'bob@example.com', name: 'Bob' };
let s: SignInApp;
const json = { accept: 'application/json' };

const failures = async (orgId = s.t.orgId) =>
  (await withTenant(s.t.database.db, orgId, (tx) => listAuditEvents(tx, orgId, 200))).filter(
    (e) => e.action === 'auth.login.failed',
  );

beforeAll(async () => {
  s = await startSignInApp({ account: bob });
  expect((await s.configureSso()).status).toBe(200);
});
afterAll(() => s?.stop());

describe('sign-in failures show what happened and a way to retry', () => {
  it('a tampered state gives an error page (HTML) with a retry link, and an audit event', async () => {
    const b = s.browser();
    const cb = await b.navigate(`${s.publicUrl}/auth/sso/default/login`, (u) =>
      u.includes('/auth/sso/callback'),
    );
    const back = new URL(cb.headers.get('location')!);
    back.searchParams.set('state', 'tampered');
    const before = (await failures()).length;
    const page = await b.request(back.href);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Sign-in attempt invalid or expired');
    expect(html).toContain(`id="retry" href="${s.publicUrl}/auth/sso/default/login"`);
    const after = await failures();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({
      actor_type: 'system',
      data: { method: 'sso', reason: 'state_invalid' },
    });
    expect(b.cookie(s.publicUrl, 'sc_session')).toBeUndefined();
  });

  it('a callback without its attempt cookie is a problem (JSON) with a login link', async () => {
    const b = s.browser();
    const cb = await b.navigate(`${s.publicUrl}/auth/sso/default/login`, (u) =>
      u.includes('/auth/sso/callback'),
    );
    const res = await fetch(cb.headers.get('location')!, { headers: json });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      code: 'sso_state_invalid',
      links: { login: `${s.publicUrl}/auth/login` },
    });
  });

  it('the provider answering error=access_denied gives a "refused" page with a retry link', async () => {
    s.idp.next = { account: bob, deny: true };
    try {
      const b = s.browser();
      const page = await s.ssoLogin(b);
      expect(page.status).toBe(403);
      const html = await page.text();
      expect(html).toContain('Sign-in refused');
      expect(html).toContain('access_denied');
      expect(html).toContain(`href="${s.publicUrl}/auth/sso/default/login"`);
      expect((await failures())[0]).toMatchObject({ data: { reason: 'denied' } });
    } finally {
      s.idp.next = { account: bob };
    }
  });

  it('an email outside the allowed domains is refused', async () => {
    expect((await s.configureSso({ allowedEmailDomains: ['corp.example'] })).status).toBe(200);
    try {
      const page = await s.ssoLogin(s.browser());
      expect(page.status).toBe(403);
      expect(await page.text()).toContain('not in an allowed domain');
    } finally {
      expect((await s.configureSso({ allowedEmailDomains: [] })).status).toBe(200);
    }
  });

  it('an org without SSO gets a clear problem (JSON) or page (HTML), as does an unknown org', async () => {
    const other = await s.t.newOrg('no-sso');
    const res = await fetch(`${s.publicUrl}/auth/sso/no-sso/login`, { headers: json, redirect: 'manual' });
    expect(res.status).toBe(404);
    const p = (await res.json()) as { detail: string };
    expect(p).toMatchObject({
      code: 'sso_not_configured',
      links: { login: `${s.publicUrl}/auth/login?org=no-sso` },
    });
    expect(p.detail).toContain('no single sign-on configured');
    expect((await failures(other.orgId))[0]).toMatchObject({ data: { reason: 'not_configured' } });
    const page = await s.browser().request(`${s.publicUrl}/auth/sso/nobody/login`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Single sign-on not configured');
  });

  it('a provider that is down at the token exchange gives a 502 page with a retry link', async () => {
    const b = s.browser();
    const first = await b.request(`${s.publicUrl}/auth/sso/default/login`);
    const state = new URL(first.headers.get('location')!).searchParams.get('state')!;
    // The provider's answer arrives, but the provider is gone before the code is exchanged.
    await s.idp.close();
    const cb = new URL(`${s.publicUrl}/auth/sso/callback`);
    cb.search = new URLSearchParams({ code: 'c', state, iss: s.idp.issuer }).toString();
    const page = await b.request(cb.href);
    expect(page.status).toBe(502);
    const html = await page.text();
    expect(html).toContain('Identity provider unavailable');
    expect(html).toContain(`id="retry" href="${s.publicUrl}/auth/sso/default/login"`);
    expect((await failures())[0]).toMatchObject({ data: { reason: 'provider_unavailable' } });
  });
});
