import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { httpFrom } from '../../../../test/http-from.ts';

/**
 * Attack of issue 8's fixes, D2: while /oidc/token answered 429, thirty wrong secrets each at
 * /oidc/token/introspection and /oidc/token/revocation got 401 (and the right one 200), and /oidc/request (PAR)
 * told a right secret from a wrong one too. Every endpoint of the authorization server that authenticates a
 * client spends the same per-client and per-source failure limits. Real sockets, each test its own source
 * address (127.0.0.x) and its own client.
 */
const PER_CLIENT = 4;
const PER_SOURCE = 8;
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await startTestApp({
    env: {
      SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT: String(PER_CLIENT),
      SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE: String(PER_SOURCE),
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.stop());

const system = () => ({ type: 'system' as const, id: 'test', orgId: t.orgId });
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Each endpoint that authenticates a client, with a body it accepts. */
const ENDPOINTS: Record<string, string> = {
  '/oidc/token': 'grant_type=client_credentials&scope=read',
  '/oidc/token/introspection': 'token=abc',
  '/oidc/token/revocation': 'token=abc',
  '/oidc/request': new URLSearchParams({
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1/cb',
    scope: 'openid',
    code_challenge: 'x'.repeat(43),
    code_challenge_method: 'S256',
  }).toString(),
};
const PATHS = Object.keys(ENDPOINTS);
const OTHERS = PATHS.filter((p) => p !== '/oidc/token');

const post = (from: string, path: string, authorization: string) =>
  httpFrom(from, `${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: ENDPOINTS[path],
  });

async function expectThrottled(r: Awaited<ReturnType<typeof post>>, what: string) {
  expect(r.status, `${what}: ${r.body}`).toBe(429);
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  expect(JSON.parse(r.body)).toMatchObject({ error: 'temporarily_unavailable' });
}

describe('wrong secrets for one client id', () => {
  it('spent at introspection, revocation and PAR also close /oidc/token, even to the right secret', async () => {
    const ci = await t.sc.oauth.server!.registerClient(system(), {
      name: 'spent elsewhere',
      scopes: ['read'],
    });
    for (let i = 0; i < PER_CLIENT; i++) {
      const path = OTHERS[i % OTHERS.length]!;
      const r = await post('127.0.0.11', path, basic(ci.clientId, `wrong-${i}`));
      expect(r.status, `${path}: ${r.body}`).toBe(401);
    }
    for (const path of PATHS) {
      await expectThrottled(await post('127.0.0.12', path, basic(ci.clientId, 'wrong-again')), path);
      await expectThrottled(
        await post('127.0.0.12', path, basic(ci.clientId, ci.clientSecret)),
        `${path} right`,
      );
    }
  });

  it('spent at /oidc/token leave no oracle at introspection, revocation or PAR', async () => {
    const ci = await t.sc.oauth.server!.registerClient(system(), {
      name: 'spent at token',
      scopes: ['read'],
    });
    for (let i = 0; i < PER_CLIENT; i++) {
      expect((await post('127.0.0.13', '/oidc/token', basic(ci.clientId, `wrong-${i}`))).status).toBe(401);
    }
    for (const path of OTHERS) {
      for (const secret of ['wrong-again', ci.clientSecret]) {
        await expectThrottled(
          await post('127.0.0.14', path, basic(ci.clientId, secret)),
          `${path} ${secret}`,
        );
      }
    }
  });
});

describe('guessed client ids from one source', () => {
  it('count PER_SOURCE failures across every endpoint, then 429 at all of them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_SOURCE; i++) {
      const guess = `scc_${randomBytes(12).toString('base64url')}`;
      statuses.push((await post('127.0.0.15', PATHS[i % PATHS.length]!, basic(guess, 'guess'))).status);
    }
    expect(statuses).toEqual(Array(PER_SOURCE).fill(401));
    for (const path of PATHS) {
      const guess = `scc_${randomBytes(12).toString('base64url')}`;
      await expectThrottled(await post('127.0.0.15', path, basic(guess, 'guess')), path);
    }
  });
});

describe('a client that authenticates correctly', () => {
  it('is never limited, however often it introspects and revokes', async () => {
    const ci = await t.sc.oauth.server!.registerClient(system(), {
      name: 'busy introspector',
      scopes: ['read'],
    });
    for (let i = 0; i < PER_SOURCE * 2; i++) {
      const path = i % 2 === 0 ? '/oidc/token/introspection' : '/oidc/token/revocation';
      const r = await post('127.0.0.16', path, basic(ci.clientId, ci.clientSecret));
      expect(r.status, `${path}: ${r.body}`).toBe(200);
    }
  });
});
