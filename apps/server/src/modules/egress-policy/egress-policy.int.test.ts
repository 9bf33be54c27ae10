import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { withTenant } from '../../platform/db/index.ts';

/** The admin API of an org's egress rules (story 8.3): read, replace, validate, audit, dry run. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.0/8', SPRINTCONNECT_EGRESS_RATE_LIMIT: '100' },
  });
});
afterAll(async () => {
  await t?.stop();
});

type Headers = { authorization: string };
const get = (headers: Headers = t.auth) => t.app.inject({ method: 'GET', url: '/v1/egress-policy', headers });
const put = (payload: Record<string, unknown>, headers: Headers = t.auth) =>
  t.app.inject({ method: 'PUT', url: '/v1/egress-policy', headers, payload });
const check = (url: string, headers: Headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/egress-policy/check', headers, payload: { url } });

async function auditOf(orgId: string) {
  return withTenant(t.database.adminDb, orgId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['action', 'target_type', 'target_id', 'data'])
      .where('org_id', '=', orgId)
      .where('action', '=', 'egress_policy.updated')
      .orderBy('occurred_at')
      .execute(),
  );
}

describe('GET and PUT /v1/egress-policy', () => {
  it('starts empty (version 0) with the platform rate limit in effect', async () => {
    const o = await t.newOrg('fresh');
    const res = await get(o.auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      allow: [],
      deny: [],
      deniedPorts: [],
      rateLimitPerMinute: null,
      effectiveRateLimitPerMinute: 100,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('stores the rules canonically, bumps the version on each change, and audits every change', async () => {
    const o = await t.newOrg('writer');
    const first = await put(
      {
        allow: ['*.Example.com', '10.20.0.0/16'],
        deny: ['Legacy.Example.com'],
        deniedPorts: [25],
        rateLimitPerMinute: 30,
      },
      o.auth,
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      allow: ['*.example.com', '10.20.0.0/16'],
      deny: ['legacy.example.com'],
      deniedPorts: [25],
      rateLimitPerMinute: 30,
      effectiveRateLimitPerMinute: 30,
      version: 1,
    });
    const second = await put({ deny: ['10.1.0.0/16'] }, o.auth);
    expect(second.json()).toMatchObject({ allow: [], deny: ['10.1.0.0/16'], deniedPorts: [], version: 2 });
    expect((await get(o.auth)).json()).toEqual(second.json());
    const audit = await auditOf(o.orgId);
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      target_type: 'egress_policy',
      target_id: o.orgId,
      data: {
        version: 1,
        allow: ['*.example.com', '10.20.0.0/16'],
        deniedPorts: [25],
        rateLimitPerMinute: 30,
      },
    });
  });

  it('answers 422 per bad field (CIDR, host, port, rate limit above the platform limit) and changes nothing', async () => {
    const o = await t.newOrg('bad-input');
    await put({ deny: ['10.9.0.0/16'] }, o.auth);
    const before = (await get(o.auth)).json();
    const res = await put(
      {
        allow: ['ok.example', '10.0.0.0/33'],
        deny: ['not a host!', '10.1.2.3/8'],
        deniedPorts: [22],
        rateLimitPerMinute: 101,
      },
      o.auth,
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().code).toBe('validation_failed');
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/allow/1',
      '/deny/0',
      '/deny/1',
      '/rateLimitPerMinute',
    ]);
    const ports = await put({ deniedPorts: [0] }, o.auth);
    expect(ports.statusCode).toBe(422);
    expect(ports.json().errors[0].pointer).toBe('/deniedPorts/0');
    expect((await get(o.auth)).json()).toEqual(before);
    expect(await auditOf(o.orgId)).toHaveLength(1);
  });

  it('needs egress:read to read and egress:write to change; read-only keys get 403', async () => {
    const reader = { authorization: `Bearer ${await t.keyWithScopes(['egress:read'])}` };
    const none = { authorization: `Bearer ${await t.keyWithScopes(['servers:read'])}` };
    expect((await get(reader)).statusCode).toBe(200);
    expect((await check('http://8.8.8.8/', reader)).statusCode).toBe(200);
    const denied = await put({ deny: ['evil.example'] }, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('forbidden');
    expect((await get(none)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/egress-policy' })).statusCode).toBe(401);
  });
});

describe('POST /v1/egress-policy/check (dry run)', () => {
  it('names the rule that decides, and sends nothing', async () => {
    const o = await t.newOrg('dry-run');
    await put({ allow: ['*.example.com', '8.8.8.0/24'], deny: ['8.8.8.8/32'], deniedPorts: [8443] }, o.auth);
    expect((await check('http://8.8.8.8/', o.auth)).json()).toMatchObject({
      allowed: false,
      rule: 'denylist:8.8.8.8/32',
      code: 'egress_denied_by_org_policy',
      detail: '8.8.8.8 is in denylist entry 8.8.8.8/32 of the org egress policy',
    });
    expect((await check('http://8.8.8.4/', o.auth)).json()).toMatchObject({
      allowed: true,
      rule: 'allowlist:8.8.8.0/24',
      code: null,
      addresses: ['8.8.8.4'],
    });
    expect((await check('http://1.1.1.1/', o.auth)).json()).toMatchObject({
      allowed: false,
      rule: 'allowlist',
    });
    expect((await check('https://8.8.8.4:8443/', o.auth)).json()).toMatchObject({
      allowed: false,
      rule: 'denied_port:8443',
      detail: 'port 8443 is denied by the org egress policy',
    });
  });
});

describe('registration under org egress rules', () => {
  it('refuses a server URL an org rule denies with a 422 naming the rule, and registers nothing', async () => {
    const o = await t.newOrg('registrar');
    await put({ deny: ['127.0.0.0/24'] }, o.auth);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: o.auth,
      payload: { name: 'internal', url: 'http://localhost:8081/mcp', autoDiscover: false },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'egress_denied_by_org_policy',
      detail:
        'localhost resolves to 127.0.0.1, which is in denylist entry 127.0.0.0/24 of the org egress policy',
      errors: [{ pointer: '/url' }],
    });
    const list = await t.app.inject({ method: 'GET', url: '/v1/servers', headers: o.auth });
    expect(list.json().items).toEqual([]);
  });

  it("does not apply one org's rules to another org's registrations", async () => {
    const strict = await t.newOrg('reg-strict');
    const relaxed = await t.newOrg('reg-relaxed');
    await put({ deny: ['127.0.0.0/8'] }, strict.auth);
    const payload = { name: 'shared', url: 'http://127.0.0.1:8081/mcp', autoDiscover: false };
    const refused = await t.app.inject({ method: 'POST', url: '/v1/servers', headers: strict.auth, payload });
    expect(refused.statusCode).toBe(422);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: relaxed.auth,
      payload,
    });
    expect(accepted.statusCode).toBe(201);
  });

  it('cannot widen the platform policy: a metadata address allowlisted by the org is still refused', async () => {
    const o = await t.newOrg('widen');
    await put({ allow: ['169.254.169.254/32', '*.internal'] }, o.auth);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: o.auth,
      payload: { name: 'imds', url: 'http://169.254.169.254/latest', autoDiscover: false },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('url_not_allowed');
    expect(res.json().detail).toMatch(/cloud metadata address/);
  });
});

describe('SSO and trusted issuers under org egress rules', () => {
  it("judges an org's identity-provider and JWKS URLs by its rules, naming the rule", async () => {
    const o = await t.newOrg('idp-rules');
    await put({ deny: ['127.0.0.0/24'] }, o.auth);
    const sso = await t.app.inject({
      method: 'PUT',
      url: '/v1/sso',
      headers: o.auth,
      payload: { issuer: 'http://127.0.0.1:8081', clientId: 'sc', clientSecret: 'secret' },
    });
    expect(sso.statusCode).toBe(422);
    expect(sso.json()).toMatchObject({ code: 'url_not_allowed' });
    expect(sso.json().detail).toContain('denylist entry 127.0.0.0/24');
    const issuer = await t.app.inject({
      method: 'POST',
      url: '/v1/trusted-issuers',
      headers: o.auth,
      payload: { issuer: 'http://127.0.0.1:8081', audience: 'sc', jwksUri: 'http://127.0.0.1:8081/jwks' },
    });
    expect(issuer.statusCode).toBe(422);
    const jwks = issuer.json().errors.find((e: { pointer: string }) => e.pointer === '/jwksUri');
    expect(jwks.detail).toContain('denylist entry 127.0.0.0/24');
  });
});
