import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { type CapturedLog, captureLog } from '../../../test/decision-log.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { fixedClock } from '../../kernel/index.ts';

/** Issue 4, point 1: each decision is logged with its id, set version, input hash, result, reasons, obligations, latency. */
describe('the decision log, read from the app’s log output', () => {
  let t: TestApp;
  let log: CapturedLog;

  beforeAll(async () => {
    log = captureLog();
    t = await startTestApp({
      env: { LOG_LEVEL: 'info' },
      // The request time is part of a decision's input: frozen, equal inputs hash equal.
      clock: fixedClock(new Date()),
      extraAuthenticators: [testPrincipalAuthenticator],
      http: { logStream: log.stream },
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('an allow carries the id, the set version the org runs, an input hash, the result, the permitting policies, obligations and latency', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: t.auth,
      payload: {
        name: 'throttle-viewers',
        policy:
          '@obligation_throttle("expensive")\npermit (principal in SprintConnect::Role::"viewer", action == SprintConnect::Action::"servers:list", resource);',
      },
    });
    expect(created.statusCode).toBe(201);
    const viewer = await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer']);
    const r = await t.app.inject({ url: '/v1/servers', headers: viewer.as() });
    expect(r.statusCode).toBe(200);
    // The route's own decision comes first (listing may ask more, e.g. to filter what the caller sees).
    const d = log.decisionsFor(String(r.headers['x-request-id']))[0];
    const effective = (await t.app.inject({ url: '/v1/policies/effective', headers: t.auth })).json();
    expect(d).toMatchObject({
      decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      policySetVersion: effective.version,
      inputHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      principal: `user:${viewer.id}`,
      action: 'servers:list',
      resource: `org:${t.orgId}`,
      allowed: true,
      errors: [],
      obligations: { redact: [], throttle: 'expensive' },
    });
    expect([...(d?.reasons ?? [])].sort()).toEqual(['org/throttle-viewers', 'role/viewer']);
    expect(d?.latencyMs).toBeGreaterThanOrEqual(0);

    // The same input hashes the same; another caller does not.
    const again = log.decisionsFor(
      String((await t.app.inject({ url: '/v1/servers', headers: viewer.as() })).headers['x-request-id']),
    );
    expect(again[0]?.inputHash).toBe(d?.inputHash);
    const byKey = log.decisionsFor(
      String((await t.app.inject({ url: '/v1/servers', headers: t.auth })).headers['x-request-id']),
    );
    expect(byKey[0]?.inputHash).not.toBe(d?.inputHash);
  });

  it('a deny logs the decision id the 403 problem carries, with the forbidding policy as its reason', async () => {
    const nobody = await userWithRoles(t.sc, t.orgId, 'nobody@example.com', []);
    const r = await t.app.inject({ url: '/v1/roles', headers: nobody.as() });
    expect(r.statusCode).toBe(403);
    const [d] = log.decisionsFor(String(r.headers['x-request-id']));
    expect(d).toMatchObject({
      decisionId: r.json().decisionId,
      allowed: false,
      reasons: [],
      action: 'roles:read',
    });

    await t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: t.auth,
      payload: {
        name: 'no-jobs',
        policy:
          '@reason("jobs are hidden")\nforbid (principal, action == SprintConnect::Action::"jobs:read", resource);',
      },
    });
    const job = await t.app.inject({ url: '/v1/jobs/0190f1e2-0000-7000-8000-000000000001', headers: t.auth });
    expect(job.statusCode).toBe(403);
    expect(job.json().detail).toMatch(/jobs are hidden/);
    const [denied] = log.decisionsFor(String(job.headers['x-request-id']));
    expect(denied).toMatchObject({
      decisionId: job.json().decisionId,
      allowed: false,
      reasons: ['org/no-jobs'],
    });
  });
});
