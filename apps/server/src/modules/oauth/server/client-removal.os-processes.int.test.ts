import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { type ServerProcess, startServerProcess } from '../../../../test/server-process.ts';

/**
 * Issue 8 point 3 with a real second OS process on the same database: removing an OAuth client through one
 * process makes the other refuse its access token within a second, withdraws its role assignments, and revokes
 * the API keys it made (and the keys those keys made), like an API-key revocation.
 */
let t: TestApp;
let other: ServerProcess;
let here: string;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  here = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  await t.sc.apiKeys.keys.listening;
  other = await startServerProcess(t.database.adminUrl);
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function clientToken(clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${here}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=admin',
  });
  const body = (await res.json()) as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

async function createKey(base: string, token: string, name: string): Promise<string> {
  const res = await fetch(`${base}/v1/api-keys`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes: ['admin'] }),
  });
  const body = (await res.json()) as { token: string; expiresAt: string | null };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.token;
}

/** Polls the other process until it stops answering 200, for at most one second. */
async function refusedWithinASecond(path: string, token: string): Promise<{ status: number; code: string }> {
  const t0 = performance.now();
  for (;;) {
    const res = await fetch(`${other.url}${path}`, { headers: bearer(token) });
    if (res.status !== 200 || performance.now() - t0 >= 1000) {
      const body = (await res.json()) as { code?: string };
      expect(performance.now() - t0).toBeLessThan(1000);
      return { status: res.status, code: String(body.code) };
    }
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('removing an OAuth client through one process', () => {
  it('refuses its token in the other process within a second, and takes its roles and the keys it made', async () => {
    const system = { type: 'system' as const, id: 'test', orgId: t.orgId };
    const ci = await t.sc.oauth.server!.registerClient(system, { name: 'doomed', scopes: ['admin'] });
    await t.sc.rbac.users.grantAsSystem(system, { type: 'client', id: ci.clientId }, ['owner']);
    const token = await clientToken(ci.clientId, ci.clientSecret);

    // Before: the token works in the other process (and is cached there), and mints keys, which mint keys.
    expect((await fetch(`${other.url}/v1/me`, { headers: bearer(token) })).status).toBe(200);
    const byClient = await createKey(other.url, token, 'made by the client');
    const byKey = await createKey(other.url, byClient, 'made by that key');
    for (const k of [byClient, byKey]) {
      expect((await fetch(`${other.url}/v1/me`, { headers: bearer(k) })).status).toBe(200);
    }

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/oauth-clients/${ci.clientId}`,
      headers: t.auth,
    });
    expect(del.statusCode, del.body).toBe(204);

    expect(await refusedWithinASecond('/v1/me', token)).toEqual({ status: 401, code: 'token_revoked' });
    for (const k of [byClient, byKey]) {
      expect(await refusedWithinASecond('/v1/me', k)).toEqual({ status: 401, code: 'api_key_invalid' });
    }
    // The token mints nothing any more, in either process.
    for (const base of [here, other.url]) {
      const res = await fetch(`${base}/v1/api-keys`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'too late', scopes: ['admin'] }),
      });
      expect(res.status).toBe(401);
    }
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM role_assignments
      WHERE principal_type = 'client' AND principal_id = ${ci.clientId}`.execute(t.database.adminDb);
    expect(rows[0]!.n).toBe(0);
    // And no new token for it.
    const again = await fetch(`${here}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${ci.clientId}:${ci.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=admin',
    });
    expect(again.status).toBe(401);
  });

  it('leaves the tokens of another client working (control)', async () => {
    const system = { type: 'system' as const, id: 'test', orgId: t.orgId };
    const kept = await t.sc.oauth.server!.registerClient(system, { name: 'kept', scopes: ['admin'] });
    await t.sc.rbac.users.grantAsSystem(system, { type: 'client', id: kept.clientId }, ['viewer']);
    const token = await clientToken(kept.clientId, kept.clientSecret);
    expect((await fetch(`${other.url}/v1/me`, { headers: bearer(token) })).status).toBe(200);
  });
});
