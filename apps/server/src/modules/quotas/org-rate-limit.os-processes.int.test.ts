import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

/**
 * The per-org rate limit is one limit for all of an org's callers across processes: here two API keys of one
 * org, spread over this process and a real second OS process (`sprintconnect start`) on the same database.
 */
const LIMIT = 6;
let t: TestApp;
let other: ServerProcess;
beforeAll(async () => {
  const env = { SPRINTCONNECT_ORG_RATE_LIMIT: String(LIMIT) };
  t = await startTestApp({ env });
  other = await startServerProcess(t.database.adminUrl, env);
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

describe('the per-org rate limit across two OS processes', () => {
  it('admits the limit once in total for all keys of the org, then 429 with Retry-After and the org policy', async () => {
    const org = await t.newOrg('rate-limited-org');
    const second = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: org.orgId },
      { name: 'second key', scopes: ['read'] },
    );
    const keys = [org.key, second.token];
    const responses: { status: number; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 5; i++) {
      const here = await t.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${keys[i % 2]}` },
      });
      responses.push({ status: here.statusCode, headers: here.headers as Record<string, string> });
      const there = await fetch(`${other.url}/v1/me`, {
        headers: { authorization: `Bearer ${keys[(i + 1) % 2]}` },
      });
      responses.push({ status: there.status, headers: Object.fromEntries(there.headers) });
    }
    expect(responses.filter((r) => r.status === 200)).toHaveLength(LIMIT);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(10 - LIMIT);

    for (const ok of responses.filter((r) => r.status === 200)) {
      expect(ok.headers['ratelimit-policy']).toBe(`"api-key";q=600;w=60, "org";q=${LIMIT};w=60`);
      expect(ok.headers.ratelimit).toMatch(/^"api-key";r=\d+;t=\d+, "org";r=\d+;t=\d+$/);
    }
    for (const refused of responses.filter((r) => r.status === 429)) {
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.headers['ratelimit-policy']).toMatch(new RegExp(`"org";q=${LIMIT};w=60`));
      expect(refused.headers.ratelimit).toMatch(new RegExp(`"org";r=0;t=${retryAfter}`));
    }

    // Another org is not affected.
    const bystander = await t.newOrg('bystander-org');
    const ok = await fetch(`${other.url}/v1/me`, { headers: { authorization: `Bearer ${bystander.key}` } });
    expect(ok.status).toBe(200);
  });
});
