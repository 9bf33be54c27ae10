import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecondApp, startTestApp, type TestApp } from '../../../test/harness.ts';

/**
 * Two SprintConnect processes on one database (own pools, caches, LISTEN connections and limiters), as two
 * replicas behind a load balancer.
 */
type Second = Awaited<ReturnType<typeof startSecondApp>>;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (app: TestApp['app'], token: string) =>
  app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });

describe('revocation across processes', () => {
  let a: TestApp;
  let b: Second;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startSecondApp(a);
    await Promise.all([a.sc.apiKeys.keys.listening, b.sc.apiKeys.keys.listening]);
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('a key revoked in one process is rejected by the other within one second', async () => {
    const created = await a.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: a.auth,
      payload: { name: 'replicated', scopes: ['read'] },
    });
    const { id, token } = created.json();
    // B verifies the key and caches it; its next request is served from that cache.
    expect((await me(b.app, token)).statusCode).toBe(200);
    expect((await me(b.app, token)).statusCode).toBe(200);

    const revoked = await a.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: a.auth });
    expect(revoked.statusCode).toBe(204);
    const t0 = performance.now();
    let status = 200;
    while (status !== 401 && performance.now() - t0 < 1000) {
      status = (await me(b.app, token)).statusCode;
      if (status !== 401) await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe(401);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('rate limit shared by processes', () => {
  const env = { SPRINTCONNECT_API_KEY_RATE_LIMIT: '5' };
  let a: TestApp;
  let b: Second;
  beforeAll(async () => {
    a = await startTestApp({ env });
    b = await startSecondApp(a, { env });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('counts requests to either process against one limit per key, then answers 429 with Retry-After', async () => {
    const key = await a.keyWithScopes(['read']);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await me(i % 2 === 0 ? a.app : b.app, key)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    const refused = await me(a.app, key);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(refused.json().detail).toMatch(/5 requests per 60 seconds/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-policy']).toBe('"api-key";q=5;w=60');
    expect(refused.headers.ratelimit).toBe(`"api-key";r=0;t=${retryAfter}`);
  });

  it('keeps keys apart and reports RateLimit headers on admitted requests', async () => {
    const other = await a.keyWithScopes(['read']);
    const ok = await me(b.app, other);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['ratelimit-policy']).toMatch(/^"api-key";q=5;w=60(, |$)/);
    expect(ok.headers.ratelimit).toMatch(/^"api-key";r=4;t=([1-9]\d*)(, |$)/);
  });
});
