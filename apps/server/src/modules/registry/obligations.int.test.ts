import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

/** Issue 4, point 1: the API applies the obligations of the policies that permitted a request. */
const REDACT = `@obligation_redact("url,description")
permit (
  principal in SprintConnect::Role::"analyst",
  action in [SprintConnect::Action::"servers:read", SprintConnect::Action::"servers:list"],
  resource
);`;
const THROTTLE = `@obligation_throttle("expensive")
permit (principal in SprintConnect::Role::"analyst", action == SprintConnect::Action::"servers:list", resource);`;

describe('policy obligations on server views', () => {
  let t: TestApp;
  let serverId: string;
  let analyst: Awaited<ReturnType<typeof userWithRoles>>;
  let owner: Awaited<ReturnType<typeof userWithRoles>>;

  beforeAll(async () => {
    t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
    analyst = await userWithRoles(t.sc, t.orgId, 'analyst@example.com', ['analyst']);
    owner = await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner']);
    const s = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: {
        name: 'billing',
        url: 'https://billing.example.com/mcp',
        description: 'internal billing tools',
        tags: ['finance'],
        autoDiscover: false,
      },
    });
    expect(s.statusCode).toBe(201);
    serverId = s.json().id;
    for (const [name, policy] of [
      ['redact-for-analysts', REDACT],
      ['throttle-analysts', THROTTLE],
    ]) {
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
    await t.stop();
  });

  it('redact: the named fields are null and listed in `redacted`, on GET /v1/servers/{id} and in the list, for that caller only', async () => {
    const one = await t.app.inject({ url: `/v1/servers/${serverId}`, headers: analyst.as() });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      id: serverId,
      name: 'billing',
      url: null,
      description: null,
      tags: ['finance'],
      redacted: ['description', 'url'],
    });
    const list = await t.app.inject({ url: '/v1/servers', headers: analyst.as() });
    expect(list.json().items[0]).toMatchObject({
      url: null,
      description: null,
      redacted: ['description', 'url'],
    });

    const full = await t.app.inject({ url: `/v1/servers/${serverId}`, headers: owner.as() });
    expect(full.json()).toMatchObject({
      url: 'https://billing.example.com/mcp',
      description: 'internal billing tools',
    });
    expect(full.json().redacted).toBeUndefined();
  });

  it('throttle: the class is reported in SprintConnect-Throttle-Class for the caller the policy names', async () => {
    const list = await t.app.inject({ url: '/v1/servers', headers: analyst.as() });
    expect(list.headers['sprintconnect-throttle-class']).toBe('expensive');
    const other = await t.app.inject({ url: '/v1/servers', headers: owner.as() });
    expect(other.headers['sprintconnect-throttle-class']).toBeUndefined();
    const notThisAction = await t.app.inject({ url: `/v1/servers/${serverId}`, headers: analyst.as() });
    expect(notThisAction.headers['sprintconnect-throttle-class']).toBeUndefined();
  });

  it('throttle: the caller is held to the class’s rate (expensive: 10 a minute), then 429 with Retry-After; others are not', async () => {
    const held = await userWithRoles(t.sc, t.orgId, 'held-analyst@example.com', ['analyst']);
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    for (let i = 0; i < 12; i++) {
      const r = await t.app.inject({ url: '/v1/servers', headers: held.as() });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) refused ??= r;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(refused?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused?.json()).toMatchObject({ code: 'rate_limited', rateClass: 'expensive' });
    // the class is per caller: the owner, whom the policy does not name, and another analyst go on
    for (let i = 0; i < 12; i++) {
      expect((await t.app.inject({ url: '/v1/servers', headers: owner.as() })).statusCode).toBe(200);
    }
    const fresh = await userWithRoles(t.sc, t.orgId, 'fresh-analyst@example.com', ['analyst']);
    expect((await t.app.inject({ url: '/v1/servers', headers: fresh.as() })).statusCode).toBe(200);
  });
});
