import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

/**
 * Issue 10 point 2: a dry run judges the resource it was given, exactly as the real request would be judged,
 * or answers 422; a server or capability named only by id is looked up (its tags, environment, its server).
 * The "real request" each answer is compared with goes through the same app: a server read (404 when hidden,
 * ADR 0020) and a capability listing (denied capabilities are withheld, story 3.2).
 */
const NS = 'SprintConnect';
const NO_PCI = `@reason("viewers stay away from PCI servers")
forbid (principal in ${NS}::Role::"viewer", action, resource)
when {
  (resource is ${NS}::Server && resource.tags.contains("pci")) ||
  (resource is ${NS}::Capability && resource.server.tags.contains("pci"))
} unless { principal in ${NS}::Role::"admin" };`;
const NO_REFUNDS = `@reason("refunds are for admins")
forbid (principal, action, resource is ${NS}::Capability)
when { resource.name == "refund_payment" } unless { principal in ${NS}::Role::"admin" };`;

let t: TestApp;
let mcp: RunningMutableServer;
let viewer: Awaited<ReturnType<typeof userWithRoles>>;
let other: Awaited<ReturnType<TestApp['newOrg']>>;
const ids = { pci: '', plain: '', otherOrg: '' };

const register = async (name: string, tags: string[], auth = t.auth) => {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: auth,
    payload: { name, url: mcp.url, tags },
  });
  expect(r.statusCode).toBe(201);
  const job = r.json().discoveryJob.id as string;
  await eventually(async () => {
    const j = (await t.app.inject({ url: `/v1/jobs/${job}`, headers: auth })).json();
    return j.state === 'succeeded' ? j : undefined;
  }, 30_000);
  return r.json().id as string;
};

beforeAll(async () => {
  t = await startTestApp({
    extraAuthenticators: [testPrincipalAuthenticator],
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
  });
  mcp = await startMutable([
    { name: 'get_forecast', inputSchema: { type: 'object' } },
    { name: 'refund_payment', inputSchema: { type: 'object' } },
  ]);
  viewer = await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer']);
  other = await t.newOrg('dry-run-other');
  ids.pci = await register('payments', ['pci']);
  ids.plain = await register('weather', []);
  ids.otherOrg = await register('theirs', [], other.auth);
  for (const [name, policy] of Object.entries({ 'no-pci': NO_PCI, 'no-refunds': NO_REFUNDS })) {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: t.auth,
      payload: { name, policy },
    });
    expect(r.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await t?.stop();
  await mcp?.close();
});

const dry = (resource: Record<string, unknown>, action = 'servers:read') =>
  t.app.inject({
    method: 'POST',
    url: '/v1/policies/dry-run',
    headers: t.auth,
    payload: { principal: { kind: 'user', id: viewer.id }, action, resource },
  });
const asViewer = (url: string) => t.app.inject({ url, headers: viewer.as() });
const toolsSeenByViewer = async (serverId: string) =>
  ((await asViewer(`/v1/servers/${serverId}/capabilities`)).json().tools as { name: string }[]).map(
    (x) => x.name,
  );

describe('dry runs judge the resource they were given (issue 10 point 2)', () => {
  it('judges a server given by its attributes alone: production is denied to a viewer, as the real read is', async () => {
    const production = { name: 'ledger', environment: 'production', tags: [] };
    const r = await dry({ type: 'server', server: production });
    expect(r.statusCode).toBe(200);
    // Before the fix this was decided on the organization and said allowed (the viewer may read servers).
    expect(r.json()).toMatchObject({ allowed: false, determiningPolicies: ['system/production'] });
    const tagged = await dry({
      type: 'server',
      server: { name: 'x', environment: 'development', tags: ['pci'] },
    });
    expect(tagged.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/no-pci'] });
    expect(tagged.json().reasons).toEqual(['viewers stay away from PCI servers']);
  });

  it('looks up a server named by id (its tags) and answers what the real request answers', async () => {
    const pci = await dry({ type: 'server', id: ids.pci });
    expect(pci.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/no-pci'] });
    expect((await asViewer(`/v1/servers/${ids.pci}`)).statusCode).toBe(404);
    const plain = await dry({ type: 'server', id: ids.plain });
    expect(plain.json()).toMatchObject({ allowed: true, determiningPolicies: ['role/viewer'] });
    expect((await asViewer(`/v1/servers/${ids.plain}`)).statusCode).toBe(200);
  });

  it('looks up a capability named by id (its name, its server) and answers what the real listing shows', async () => {
    const refund = await dry({ type: 'capability', id: `${ids.plain}/tool/refund_payment` });
    expect(refund.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/no-refunds'] });
    const forecast = await dry({ type: 'capability', id: `${ids.plain}/tool/get_forecast` });
    expect(forecast.json()).toMatchObject({ allowed: true });
    expect(await toolsSeenByViewer(ids.plain)).toEqual(['get_forecast']);
    // A capability of a PCI server is denied by its server's tags, looked up with it.
    const onPci = await dry({ type: 'capability', id: `${ids.pci}/tool/get_forecast` });
    expect(onPci.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/no-pci'] });
    // Given by its attributes without its server's, the server's are looked up all the same.
    const byAttributes = await dry({
      type: 'capability',
      capability: { serverId: ids.pci, kind: 'tool', name: 'get_forecast' },
    });
    expect(byAttributes.json()).toMatchObject({ allowed: false, determiningPolicies: ['org/no-pci'] });
  });

  it('answers 404 for a server or capability the organization does not have, another org’s included', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'server', id: ids.otherOrg }, 'server_not_found'],
      [{ type: 'server', id: '0190f1e2-0000-7000-8000-000000000009' }, 'server_not_found'],
      [{ type: 'capability', id: `${ids.otherOrg}/tool/get_forecast` }, 'server_not_found'],
      [{ type: 'capability', id: `${ids.plain}/tool/no_such_tool` }, 'capability_not_found'],
      [{ type: 'capability', id: `${ids.plain}/prompt/get_forecast` }, 'capability_not_found'],
    ];
    for (const [resource, code] of cases) {
      const r = await dry(resource);
      expect({ resource, status: r.statusCode, code: r.json().code }).toEqual({
        resource,
        status: 404,
        code,
      });
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 422 naming the field when what was given cannot be judged, never an answer about the org', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'server' }, '/resource/id'],
      [{ type: 'capability' }, '/resource/id'],
      [{ type: 'capability', id: 'not-a-capability-id' }, '/resource/id'],
      [
        { type: 'capability', server: { name: 'x', environment: 'production', tags: [] } },
        '/resource/capability',
      ],
      [{ type: 'server', capability: { serverId: ids.plain, kind: 'tool', name: 'x' } }, '/resource/type'],
      [{ type: 'org', server: { name: 'x', environment: 'production', tags: [] } }, '/resource'],
      [{ type: 'role' }, '/resource/id'],
    ];
    for (const [resource, pointer] of cases) {
      const r = await dry(resource);
      expect({ resource, status: r.statusCode, code: r.json().code }).toEqual({
        resource,
        status: 422,
        code: 'validation_failed',
      });
      expect(r.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([pointer]);
      expect(r.json().detail).toMatch(/^The dry run cannot judge this resource/);
    }
  });
});
