/**
 * Issue 11 point 11, "a replayed DPoP proof" among the hostile callers: a DPoP-bound access token for `/mcp`
 * with a proof that was already used is refused (401 `dpop_replay`, a DPoP challenge with
 * `invalid_dpop_proof`, RFC 9449 §11.1) before anything is decided or called: the upstream sees no request.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import {
  type RunningHeaderRecorder,
  startHeaderRecorder,
} from '../../../test/mcp-servers/header-recorder.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let recorder: RunningHeaderRecorder;

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { catalogueTtlMs: 0 },
  });
  recorder = await startHeaderRecorder();
  await registerDiscovered(s.t, s.t.auth, { name: 'recorder', url: recorder.url });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await recorder?.close();
});

describe('a replayed DPoP proof at /mcp', () => {
  it('is refused with 401 dpop_replay and reaches no upstream, while the first use of the proof was served', async () => {
    const sys = { type: 'system' as const, id: 'test', orgId: s.t.orgId };
    const ci = await s.t.sc.oauth.server!.registerClient(sys, { name: 'ci dpop', scopes: ['tools:write'] });
    await s.t.sc.rbac.users.grantAsSystem(sys, { type: 'client', id: ci.clientId }, ['engineer']);
    const config = await s.configFor(ci.clientId, oidc.ClientSecretBasic(ci.clientSecret));
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
    const token = (
      await oidc.clientCredentialsGrant(config, { scope: 'tools:write', resource: s.mcp }, { DPoP: dpop })
    ).access_token;

    // The first request: openid-client signs a fresh proof (RFC 9449); we keep exactly what it sent.
    let sent: Headers | undefined;
    config[oidc.customFetch] = (url, options) => {
      sent = new Headers(options.headers);
      return fetch(url, options as RequestInit);
    };
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'recorder__read_file', arguments: { path: '/tmp/x' } },
    });
    const first = await oidc.fetchProtectedResource(
      config,
      token,
      new URL(s.mcp),
      'POST',
      body,
      new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' }),
      { DPoP: dpop },
    );
    expect(first.status).toBe(200);
    expect(JSON.stringify(await first.json())).toContain('called read_file');
    const proof = sent?.get('dpop');
    expect(proof).toBeTruthy();
    expect(sent?.get('authorization')).toBe(`DPoP ${token}`);

    const before = recorder.headers.length;
    const again = await fetch(s.mcp, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `DPoP ${token}`,
        dpop: proof ?? '',
      },
      body: body.replace('"id":1', '"id":2'),
    });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('dpop_replay');
    expect(again.headers.get('www-authenticate') ?? '').toMatch(/^DPoP .*error="invalid_dpop_proof"/);
    expect(recorder.headers.length).toBe(before);
  });
});
