import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { httpFrom } from '../../../test/http-from.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

/**
 * Issue 8 point 7 with a real second OS process on the same database: failed client authentications at
 * /oidc/token are limited per client id and per source network, failed password sign-ins per source network,
 * and both processes spend the same counters. Each test plays its own source address (127.0.0.x).
 */
const PER_CLIENT = 4;
const PER_SOURCE = 8;
const env = {
  SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT: String(PER_CLIENT),
  SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE: String(PER_SOURCE),
};
let t: TestApp;
let other: ServerProcess;
let bases: string[];

beforeAll(async () => {
  t = await startTestApp({ env });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  other = await startServerProcess(t.database.adminUrl, env);
  bases = [`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, other.url];
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

const system = () => ({ type: 'system' as const, id: 'test', orgId: t.orgId });
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A client_credentials request to process `i % 2`. */
const tokenRequest = (from: string, i: number, id: string, secret: string) =>
  httpFrom(from, `${bases[i % 2]}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
    body: 'grant_type=client_credentials&scope=read',
  });

describe('wrong client secrets at /oidc/token', () => {
  it('are answered 401 only PER_CLIENT times for one client id, then 429 with Retry-After, by both processes', async () => {
    const ci = await t.sc.oauth.server!.registerClient(system(), { name: 'throttled', scopes: ['read'] });
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => tokenRequest('127.0.0.2', i, ci.clientId, `wrong-${i}`)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_CLIENT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - PER_CLIENT);
    for (const r of burst.filter((x) => x.status === 429)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'temporarily_unavailable' });
    }
    // The client id is spent everywhere, whatever the source, until the window resets: even the right secret.
    for (const i of [0, 1]) {
      expect((await tokenRequest('127.0.0.3', i, ci.clientId, ci.clientSecret)).status).toBe(429);
    }
    // Another client is not affected.
    const fine = await t.sc.oauth.server!.registerClient(system(), { name: 'fine', scopes: ['read'] });
    await t.sc.rbac.users.grantAsSystem(system(), { type: 'client', id: fine.clientId }, ['viewer']);
    for (const i of [0, 1]) {
      const r = await tokenRequest('127.0.0.3', i, fine.clientId, fine.clientSecret);
      expect(r.status, r.body).toBe(200);
    }
  });

  it('with guessed client ids are limited per source: PER_SOURCE failures in total over both processes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_SOURCE + 4; i++) {
      const r = await tokenRequest('127.0.0.4', i, `scc_${randomBytes(12).toString('base64url')}`, 'guess');
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([...Array(PER_SOURCE).fill(401), ...Array(4).fill(429)]);
  });

  it('do not build up from successes: a source with many good requests is never limited', async () => {
    const ci = await t.sc.oauth.server!.registerClient(system(), { name: 'busy', scopes: ['read'] });
    await t.sc.rbac.users.grantAsSystem(system(), { type: 'client', id: ci.clientId }, ['viewer']);
    for (let i = 0; i < PER_SOURCE * 2; i++) {
      const r = await tokenRequest('127.0.0.6', i, ci.clientId, ci.clientSecret);
      expect(r.status, r.body).toBe(200);
    }
  });
});

describe('password spraying across accounts', () => {
  it('is limited per source: PER_SOURCE failed sign-ins in total over both processes, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_SOURCE + 3; i++) {
      const r = await httpFrom('127.0.0.5', `${bases[i % 2]}/auth/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ org: 'default', email: `user${i}@example.com`, password: 'Summer2026!' }),
      });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(JSON.parse(r.body)).toMatchObject({ code: 'rate_limited' });
      }
    }
    expect(statuses).toEqual([...Array(PER_SOURCE).fill(401), ...Array(3).fill(429)]);
  });
});
