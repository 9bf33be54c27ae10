import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { eventually, startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';

/**
 * Issue 10 point 4: a rate limit per key (requests per minute), set on creation or changed later, counted across
 * processes and refused with the same 429, Retry-After and RateLimit fields as the deployment's limit, which
 * stays the default (SPRINTCONNECT_API_KEY_RATE_LIMIT, here 8).
 */
const env = { SPRINTCONNECT_API_KEY_RATE_LIMIT: '8' };
type Second = Awaited<ReturnType<typeof startSecondApp>>;
let a: TestApp;
let b: Second;
/** The test's own admin key, with room for the test's own requests (the bootstrap key has the default 8). */
let admin: { authorization: string };
beforeAll(async () => {
  a = await startTestApp({ env, extraAuthenticators: [testPrincipalAuthenticator] });
  b = await startSecondApp(a, { env });
  const system = { type: 'system' as const, id: 'test', orgId: a.orgId };
  const key = await a.sc.apiKeys.keys.create(system, {
    name: 'test admin',
    scopes: ['admin'],
    rateLimit: 1000,
  });
  admin = bearer(key.token);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (app: TestApp['app'], token: string) => app.inject({ url: '/v1/me', headers: bearer(token) });
const create = (payload: Record<string, unknown>, headers = admin) =>
  a.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload });
const statuses = async (token: string, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await me(i % 2 === 0 ? a.app : b.app, token)).statusCode);
  return out;
};

describe('a rate limit per API key', () => {
  it('holds a key to its own limit across both processes, then 429 with Retry-After and RateLimit fields', async () => {
    const created = await create({ name: 'slow', scopes: ['read'], rateLimit: 3 });
    expect(created.statusCode).toBe(201);
    expect(created.json().rateLimit).toBe(3);
    const token = created.json().token;
    expect(await statuses(token, 4)).toEqual([200, 200, 200, 429]);
    const refused = await me(a.app, token);
    expect(refused.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(refused.json().detail).toMatch(/3 requests per 60 seconds/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-policy']).toBe('"api-key";q=3;w=60');
    expect(refused.headers.ratelimit).toBe(`"api-key";r=0;t=${retryAfter}`);
  });

  it('gives a key without its own limit the deployment’s, and shows it as null', async () => {
    const created = await create({ name: 'default', scopes: ['read'] });
    expect(created.json().rateLimit).toBeNull();
    const ok = await me(b.app, created.json().token);
    expect(ok.headers['ratelimit-policy']).toMatch(/^"api-key";q=8;w=60(, |$)/);
    expect(await statuses(created.json().token, 8)).toEqual([...Array(7).fill(200), 429]);
  });

  it('a changed limit applies in every process within a second; the window keeps what was already spent', async () => {
    const created = await create({ name: 'raised', scopes: ['read'], rateLimit: 2 });
    const { id, token } = created.json();
    expect(await statuses(token, 2)).toEqual([200, 200]);
    const patched = await a.app.inject({
      method: 'PATCH',
      url: `/v1/api-keys/${id}`,
      headers: admin,
      payload: { rateLimit: 4 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id, rateLimit: 4 });
    // The other process drops its cached copy of the key (asked without spending a request).
    await eventually(async () => {
      const p = await b.sc.apiKeys.keys.authenticate(token, new Date());
      return p.rateLimit === 4 ? true : undefined;
    }, 5_000);
    // Two spent before the change, two more now, whichever process answers; then the window is spent.
    const third = await me(b.app, token);
    expect(third.statusCode).toBe(200);
    expect(third.headers['ratelimit-policy']).toMatch(/^"api-key";q=4;w=60(, |$)/);
    expect((await me(a.app, token)).statusCode).toBe(200);
    expect((await me(b.app, token)).statusCode).toBe(429);
  });

  it('keeps a key within its creator: above the deployment limit needs api_keys:admin, a key gives at most its own', async () => {
    const engineer = await userWithRoles(a.sc, a.orgId, 'engineer@example.com', ['engineer']);
    const above = await create({ name: 'fast', scopes: ['servers:read'], rateLimit: 100 }, engineer.as());
    expect(above.statusCode).toBe(403);
    expect(above.json().detail).toMatch(/more than 8 requests per minute/);
    expect(
      (await create({ name: 'fast', scopes: ['servers:read'], rateLimit: 8 }, engineer.as())).statusCode,
    ).toBe(201);
    expect((await create({ name: 'admin-fast', scopes: ['read'], rateLimit: 100 })).statusCode).toBe(201);

    const maker = await create({ name: 'maker', scopes: ['read', 'api_keys:write'], rateLimit: 5 });
    const byKey = (rateLimit: number) =>
      create({ name: `child ${rateLimit}`, scopes: ['read'], rateLimit }, bearer(maker.json().token));
    expect((await byKey(6)).statusCode).toBe(403);
    expect((await byKey(5)).statusCode).toBe(201);
    const patch = await a.app.inject({
      method: 'PATCH',
      url: `/v1/api-keys/${maker.json().id}`,
      headers: engineer.as(),
      payload: { rateLimit: 1000 },
    });
    expect(patch.statusCode).toBe(403);
  });

  it('refuses limits outside 1 to 1000000 with 422, changing nothing', async () => {
    for (const rateLimit of [0, -1, 1.5, 1_000_001, '10']) {
      const r = await create({ name: 'bad', scopes: ['read'], rateLimit });
      expect({ rateLimit, status: r.statusCode }).toEqual({ rateLimit, status: 422 });
    }
    const names = (await a.app.inject({ url: '/v1/api-keys?limit=100', headers: admin })).json().items;
    expect(names.map((k: { name: string }) => k.name)).not.toContain('bad');
  });
});
