import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../../../test/idp/browser.ts';
import { type SignInApp, startSignInApp } from '../../../../test/idp/sign-in-app.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { listAuditEvents } from '../../audit/index.ts';

/**
 * Issue 10 point 5 over real HTTP and Postgres: `POST /v1/users` invites a local user, the single-use,
 * expiring link activates the account, a new invitation voids the old link, and SSO with the invited address
 * accepts it too.
 */
let s: SignInApp;
const PASSWORD = 'a long enough passphrase';

beforeAll(async () => {
  s = await startSignInApp({ account: { sub: 'sso-grace', email: 'grace@sso.example', name: 'Grace' } });
});
afterAll(() => s?.stop());

const api = (method: string, path: string, body?: unknown, auth = s.t.auth) =>
  fetch(`${s.publicUrl}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const audit = async (action: string) =>
  (await withTenant(s.t.database.db, s.t.orgId, (tx) => listAuditEvents(tx, s.t.orgId, 1000))).filter(
    (e) => e.action === action,
  );

interface Invited {
  user: { id: string; email: string; status: string; roles: string[] };
  invitation: { url: string; token: string; expiresAt: string };
}

async function invite(email: string, roles: string[] = ['engineer']) {
  const res = await api('POST', '/v1/users', { email, roles });
  expect(res.status).toBe(201);
  return (await res.json()) as Invited;
}

function accept(b: TestBrowser, token: string, password = PASSWORD) {
  return b.request(`${s.publicUrl}/auth/invitation/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.publicUrl },
    body: new URLSearchParams({ token, password }).toString(),
  });
}

const problem = async (res: Response) => ({
  status: res.status,
  ...((await res.json()) as { code: string }),
});

const passwordLogin = (b: TestBrowser, email: string, password = PASSWORD) =>
  b.request(`${s.publicUrl}/auth/local/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ org: 'default', email, password }),
  });

describe('POST /v1/users invites a local user (issue 10 point 5)', () => {
  it('creates the user as invited with the roles, returns a link to the sign-in pages, and stores only a hash of its token', async () => {
    const res = await api('POST', '/v1/users', { email: 'Ada@Example.com', roles: ['engineer'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Invited;
    expect(body.user).toMatchObject({ email: 'ada@example.com', status: 'invited', roles: ['engineer'] });
    expect(res.headers.get('location')).toBe(`/v1/users/${body.user.id}`);
    expect(body.invitation.url).toBe(`${s.publicUrl}/auth/invitation?token=${body.invitation.token}`);
    expect(body.invitation.token).toMatch(/^sci_[A-Za-z0-9_-]{43}$/);
    // Seven days by default.
    const days = (Date.parse(body.invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const rows = await withTenant(s.t.database.adminDb, s.t.orgId, (tx) =>
      sql<{ dump: string }>`SELECT row_to_json(i)::text AS dump FROM user_invitations i`.execute(tx),
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const r of rows.rows) expect(r.dump).not.toContain(body.invitation.token.slice(4));
    expect(await audit('user.invited')).toEqual([
      expect.objectContaining({ target_id: body.user.id, data: expect.objectContaining({ replaced: 0 }) }),
    ]);
    const shown: unknown = await (await api('GET', `/v1/users/${body.user.id}`)).json();
    expect(shown).toMatchObject({ status: 'invited', roles: ['engineer'], effectivePermissions: [] });
  });

  it('refuses an email already in the org, whatever its case, and changes nothing (409 user_email_taken)', async () => {
    await invite('twice@example.com');
    const before = (await audit('user.invited')).length;
    const again = await api('POST', '/v1/users', { email: 'TWICE@example.com', roles: [] });
    expect(await problem(again)).toMatchObject({ status: 409, code: 'user_email_taken' });
    expect((await audit('user.invited')).length).toBe(before);
  });

  it('validates roles: an unknown role is 422, a role beyond the inviter is 403, and nothing is created', async () => {
    const unknown = await api('POST', '/v1/users', { email: 'r1@example.com', roles: ['wizard'] });
    expect(await problem(unknown)).toMatchObject({ status: 422, code: 'validation_failed' });
    const engineerKey = await s.t.keyWithScopes(['users:write', 'users:read']);
    const beyond = await api(
      'POST',
      '/v1/users',
      { email: 'r2@example.com', roles: ['owner'] },
      {
        authorization: `Bearer ${engineerKey}`,
      },
    );
    expect(await problem(beyond)).toMatchObject({ status: 403, code: 'forbidden' });
    const list = (await (await api('GET', '/v1/users?q=example.com&limit=200')).json()) as {
      items: { email: string }[];
    };
    expect(list.items.map((u: { email: string }) => u.email)).not.toContain('r1@example.com');
    expect(list.items.map((u: { email: string }) => u.email)).not.toContain('r2@example.com');
  });

  it('needs users:write', async () => {
    const reader = await s.t.keyWithScopes(['users:read']);
    const res = await api(
      'POST',
      '/v1/users',
      { email: 'r3@example.com', roles: [] },
      {
        authorization: `Bearer ${reader}`,
      },
    );
    expect(res.status).toBe(403);
  });
});

describe('accepting an invitation', () => {
  it('the link opens a page naming the invited email; choosing a password activates the user and signs them in', async () => {
    const { user, invitation } = await invite('bob@example.com', ['engineer']);
    const b = s.browser();
    const page = await b.request(invitation.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('bob@example.com');
    expect(html).toContain(`action="${s.publicUrl}/auth/invitation/accept"`);

    const res = await accept(b, invitation.token);
    expect(res.status).toBe(303);
    const me = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.id, email: 'bob@example.com', roles: ['engineer'] });
    expect(((await (await api('GET', `/v1/users/${user.id}`)).json()) as { status: string }).status).toBe(
      'active',
    );
    expect(await audit('user.invitation_accepted')).toEqual(
      expect.arrayContaining([expect.objectContaining({ target_id: user.id, actor_id: user.id })]),
    );
    // The password chosen is the account's password from now on.
    expect((await passwordLogin(s.browser(), 'bob@example.com')).status).toBe(200);
  });

  it('a link works once: the second use is 410 invitation_used with a sign-in link, and nothing changes', async () => {
    const { invitation } = await invite('carol@example.com');
    expect((await accept(s.browser(), invitation.token)).status).toBe(303);
    const again = await s.browser().request(`${s.publicUrl}/auth/invitation/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: invitation.token, password: 'another long passphrase' }),
    });
    const p = (await again.json()) as { code: string; links: { login: string } };
    expect(again.status).toBe(410);
    expect(p.code).toBe('invitation_used');
    expect(p.links.login).toBe(`${s.publicUrl}/auth/login?org=default`);
    // The first password still works, the second was never set.
    expect((await passwordLogin(s.browser(), 'carol@example.com')).status).toBe(200);
    expect((await passwordLogin(s.browser(), 'carol@example.com', 'another long passphrase')).status).toBe(
      401,
    );
  });

  it('an expired link is 410 invitation_expired, as a page for a browser', async () => {
    const { invitation } = await invite('dave@example.com');
    s.clock.advance(7 * 86_400_000 + 1000);
    try {
      const page = await s.browser().request(invitation.url);
      expect(page.status).toBe(410);
      expect(await page.text()).toContain('Invitation expired');
      const json = await s.browser().request(`${s.publicUrl}/auth/invitation/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token: invitation.token, password: PASSWORD }),
      });
      expect(await problem(json)).toMatchObject({ status: 410, code: 'invitation_expired' });
    } finally {
      s.clock.advance(-(7 * 86_400_000 + 1000));
    }
  });

  it('an unknown token is 404 invitation_not_found', async () => {
    const res = await s.browser().request(`${s.publicUrl}/auth/invitation?token=sci_${'A'.repeat(43)}`, {
      headers: { accept: 'application/json' },
    });
    expect(await problem(res)).toMatchObject({ status: 404, code: 'invitation_not_found' });
  });

  it('an invited user cannot sign in with a password before accepting', async () => {
    await invite('erin@example.com');
    expect((await passwordLogin(s.browser(), 'erin@example.com')).status).toBe(401);
  });
});

describe('inviting again', () => {
  it('issues a new link and voids the old one (410 invitation_revoked); the new one works', async () => {
    const { user, invitation: first } = await invite('frank@example.com');
    const res = await api('POST', `/v1/users/${user.id}/invitation`);
    expect(res.status).toBe(201);
    const second = ((await res.json()) as Invited).invitation;
    expect(second.token).not.toBe(first.token);
    const old = await s.browser().request(first.url, { headers: { accept: 'application/json' } });
    expect(await problem(old)).toMatchObject({ status: 410, code: 'invitation_revoked' });
    expect((await accept(s.browser(), second.token)).status).toBe(303);
  });

  it('is refused for a user who already accepted (409 user_status_conflict)', async () => {
    const { user, invitation } = await invite('gina@example.com');
    await accept(s.browser(), invitation.token);
    expect(await problem(await api('POST', `/v1/users/${user.id}/invitation`))).toMatchObject({
      status: 409,
      code: 'user_status_conflict',
    });
  });

  it('deactivating an invited user voids their link', async () => {
    const { user, invitation } = await invite('hank@example.com');
    expect((await api('POST', `/v1/users/${user.id}/deactivate`)).status).toBe(200);
    const res = await s.browser().request(invitation.url, { headers: { accept: 'application/json' } });
    expect(await problem(res)).toMatchObject({ status: 410, code: 'invitation_revoked' });
  });
});

describe('single sign-on accepts an invitation', () => {
  it('an invited person signing in through the org provider with the invited, verified email becomes active', async () => {
    expect((await s.configureSso()).status).toBe(200);
    const { user, invitation } = await invite('grace@sso.example', ['engineer']);
    const b = s.browser();
    expect((await s.ssoLogin(b)).status).toBe(303);
    const me = await b.request(`${s.publicUrl}/v1/me`, { headers: { accept: 'application/json' } });
    expect(await me.json()).toMatchObject({ id: user.id, roles: ['engineer'], authMethod: 'session' });
    const link = await s.browser().request(invitation.url, { headers: { accept: 'application/json' } });
    expect(await problem(link)).toMatchObject({ status: 410, code: 'invitation_revoked' });
  });
});
