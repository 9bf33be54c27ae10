import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

const FORBID_PRODUCTION = `@reason("production is frozen")
forbid (principal, action, resource is SprintConnect::Server)
when { resource.environment == "production" };`;

describe('POST /v1/policies/dry-run', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof userWithRoles>>;
  let viewer: Awaited<ReturnType<typeof userWithRoles>>;
  let productionId: string;

  beforeAll(async () => {
    t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
    owner = await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner']);
    viewer = await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer']);
    const s = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: {
        name: 'ledger',
        url: 'https://ledger.example.com/mcp',
        environment: 'production',
        autoDiscover: false,
      },
    });
    productionId = s.json().id;
  });
  afterAll(async () => {
    await t.stop();
  });

  const dry = (payload: Record<string, unknown>, headers = owner.as()) =>
    t.app.inject({ method: 'POST', url: '/v1/policies/dry-run', headers, payload });
  const production = () => ({
    type: 'server',
    id: productionId,
    server: { name: 'ledger', environment: 'production', tags: [] },
  });

  it('answers for the caller on the current set: allowed, by which policies, with no candidate', async () => {
    const r = await dry({ action: 'servers:read', resource: production() });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      allowed: true,
      candidate: false,
      errors: [],
      obligations: { redact: [], throttle: null },
    });
    // servers:read is the viewer role's, which the owner inherits.
    expect(r.json().determiningPolicies).toEqual(['role/viewer']);
    const effective = (await t.app.inject({ url: '/v1/policies/effective', headers: owner.as() })).json();
    expect(r.json().version).toBe(effective.version);
  });

  it('with a candidate policy answers as if it were added, names it and its reason, and loads nothing into the live set', async () => {
    const before = (await t.app.inject({ url: '/v1/policies/effective', headers: owner.as() })).json()
      .version;
    const r = await dry({
      action: 'servers:read',
      resource: production(),
      policy: FORBID_PRODUCTION,
    });
    expect(r.json()).toMatchObject({
      allowed: false,
      candidate: true,
      determiningPolicies: ['org/candidate'],
      reasons: ['production is frozen'],
      detail: 'production is frozen',
    });
    expect(r.json().version).not.toBe(before);
    // Nothing changed: the live set, its version and a real request.
    expect((await t.app.inject({ url: '/v1/policies/effective', headers: owner.as() })).json().version).toBe(
      before,
    );
    expect((await t.app.inject({ url: '/v1/policies', headers: owner.as() })).json().items).toEqual([]);
    expect((await t.app.inject({ url: `/v1/servers/${productionId}`, headers: owner.as() })).statusCode).toBe(
      200,
    );
  });

  it('looks up a server named only by id, and a candidate sees its environment', async () => {
    const r = await dry({
      action: 'servers:read',
      resource: { type: 'server', id: productionId },
      name: 'freeze',
      policy: FORBID_PRODUCTION,
    });
    expect(r.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/freeze'] });
    const missing = await dry({
      action: 'servers:read',
      resource: { type: 'server', id: '0190f1e2-0000-7000-8000-000000000009' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('answers for another principal: a user by their roles, an API key by its scopes', async () => {
    const userDenied = await dry({
      principal: { kind: 'user', id: viewer.id },
      action: 'servers:create',
      resource: { type: 'org' },
    });
    expect(userDenied.json()).toMatchObject({ allowed: false, determiningPolicies: [] });
    expect(userDenied.json().detail).toMatch(/no policy permits/);
    const userAllowed = await dry({
      principal: { kind: 'user', id: viewer.id },
      action: 'servers:list',
      resource: { type: 'org' },
    });
    expect(userAllowed.json()).toMatchObject({ allowed: true, determiningPolicies: ['role/viewer'] });
    // A viewer lacks servers:production: the system policy keeps production servers out of reach.
    const viewerProduction = await dry({
      principal: { kind: 'user', id: viewer.id },
      action: 'servers:read',
      resource: production(),
    });
    expect(viewerProduction.json()).toMatchObject({
      allowed: false,
      determiningPolicies: ['system/production'],
    });

    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'reader', scopes: ['servers:read'] },
    });
    const keyId = key.json().id;
    const read = await dry({
      principal: { kind: 'api_key', id: keyId },
      action: 'servers:list',
      resource: { type: 'org' },
    });
    expect(read.json()).toMatchObject({ allowed: true, determiningPolicies: ['system/api-key-scopes'] });
    const write = await dry({
      principal: { kind: 'api_key', id: keyId },
      action: 'servers:create',
      resource: { type: 'org' },
    });
    expect(write.json().allowed).toBe(false);
    expect(write.json().detail).toMatch(/servers:write/);
  });

  it('reports the obligations the decision would carry', async () => {
    const r = await dry({
      action: 'servers:read',
      resource: production(),
      policy:
        '@obligation_redact("url")\n@obligation_throttle("expensive")\npermit (principal, action, resource);',
    });
    expect(r.json()).toMatchObject({
      allowed: true,
      obligations: { redact: ['url'], throttle: 'expensive' },
    });
  });

  it('refuses an invalid candidate with 422 policy_invalid at its line, and an unknown action, and needs policies:read', async () => {
    const bad = await dry({
      action: 'servers:read',
      resource: production(),
      policy: 'permit (principal, action, resource)\nwhen { resource.nope };',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('policy_invalid');
    expect(bad.json().errors[0]).toMatchObject({ pointer: '/policy', policy: 'candidate', line: 2 });
    const unknown = await dry({ action: 'servers:fly', resource: { type: 'org' } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].pointer).toBe('/action');
    expect((await dry({ action: 'servers:read', resource: { type: 'org' } }, viewer.as())).statusCode).toBe(
      403,
    );
  });
});
