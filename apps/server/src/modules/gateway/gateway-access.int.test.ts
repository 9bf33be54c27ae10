/**
 * Issue 11 points 3, 4 and 11 (and the usage hook of point 8): `/mcp` as an OAuth 2.1 resource server (API keys
 * in the Authorization header, access tokens for `PUBLIC_URL/mcp` only, 401 challenges naming the RFC 9728
 * metadata, 403 insufficient_scope); the caller's credential never reaches an upstream (a server that records
 * every header); policy decides each list once and each call on its own (capability, annotations, arguments),
 * a denial naming its decision id; timeouts and oversized results are JSON-RPC errors naming the server.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningForgetful, startForgetful } from '../../../test/mcp-servers/forgetful.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import {
  type RunningHeaderRecorder,
  startHeaderRecorder,
} from '../../../test/mcp-servers/header-recorder.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import type { GatewayCallRecord } from './index.ts';

let s: OAuthTestApp;
let recorder: RunningHeaderRecorder;
let gate: RunningGate;
let forgetful: RunningForgetful;
const records: GatewayCallRecord[] = [];
const UPSTREAM_SECRET = 'upstream-secret-of-the-recorder';

const register = (name: string, url: string, extra: Record<string, unknown> = {}) =>
  registerDiscovered(s.t, s.t.auth, { name, url, ...extra });

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: {
      catalogueTtlMs: 0,
      upstream: { timeoutMs: 1_500, maxResultBytes: 100_000 },
      usage: { record: (r) => records.push(r) },
    },
  });
  [recorder, gate, forgetful] = await Promise.all([startHeaderRecorder(), startGate(), startForgetful()]);
  await register('recorder', recorder.url, { auth: { type: 'bearer', token: UPSTREAM_SECRET } });
  await register('gated', `${gate.origin}/mcp`);
  await register('forgetful', forgetful.url);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([recorder?.close(), gate?.close(), forgetful?.close()]);
});

const post = (body: unknown, headers: Record<string, string>, path = '/mcp') =>
  fetch(`${s.publicUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

async function connect(headers: Record<string, string>, fetchFn?: typeof fetch) {
  const client = new Client(
    { name: 'access-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(s.mcp), {
      requestInit: { headers },
      ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    }),
  );
  return client;
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Record<string, unknown>,
  );
const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

async function ciClient(scopes: string[]) {
  const sys = { type: 'system' as const, id: 'test', orgId: s.t.orgId };
  const ci = await s.t.sc.oauth.server!.registerClient(sys, { name: `ci ${scopes.join(' ')}`, scopes });
  await s.t.sc.rbac.users.grantAsSystem(sys, { type: 'client', id: ci.clientId }, ['engineer']);
  return s.configFor(ci.clientId, oidc.ClientSecretBasic(ci.clientSecret));
}

describe('/mcp as an OAuth 2.1 resource server', () => {
  it('answers 401 without a credential, challenging with the RFC 9728 metadata of /mcp and the scope it needs', async () => {
    const res = await post(listTools, {});
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(
      `resource_metadata="${s.publicUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(challenge).toContain('scope="tools:write"');
    const meta = await (await fetch(`${s.publicUrl}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(meta).toMatchObject({ resource: s.mcp });
  });

  it('takes an API key only from the Authorization header, never from the query string', async () => {
    expect((await post(listTools, {}, `/mcp?api_key=${s.t.adminKey}`)).status).toBe(401);
    expect((await post(listTools, s.t.auth)).status).toBe(200);
  });

  it('answers 403 insufficient_scope, naming the scope, to a key without tools scope', async () => {
    const key = await s.t.keyWithScopes(['read']);
    const res = await post(listTools, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="tools:write"/);
  });

  it('accepts an access token whose audience is /mcp and refuses one for /v1 (and /v1 refuses the /mcp one)', async () => {
    const config = await ciClient(['tools:write']);
    const forMcp = (await oidc.clientCredentialsGrant(config, { scope: 'tools:write', resource: s.mcp }))
      .access_token;
    const forApi = (await oidc.clientCredentialsGrant(config, { scope: 'tools:write' })).access_token;
    const client = await connect({ authorization: `Bearer ${forMcp}` });
    try {
      expect(
        text(await client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/a' } })),
      ).toBe('called read_file');
    } finally {
      await client.close();
    }
    const refused = await post(listTools, { authorization: `Bearer ${forApi}` });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('token_audience_mismatch');
    const onApi = await fetch(`${s.publicUrl}/v1/servers`, {
      headers: { authorization: `Bearer ${forMcp}` },
    });
    expect(onApi.status).toBe(401);
  });

  it('enforces DPoP-bound tokens: a proof per request passes, the same token without its proof is refused', async () => {
    const config = await ciClient(['tools:write']);
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
    const token = (
      await oidc.clientCredentialsGrant(config, { scope: 'tools:write', resource: s.mcp }, { DPoP: dpop })
    ).access_token;
    // Each MCP request goes through openid-client, which signs a fresh DPoP proof for it (RFC 9449).
    const proving: typeof fetch = async (url, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      return oidc.fetchProtectedResource(
        config,
        token,
        new URL(String(url)),
        init?.method ?? 'POST',
        init?.body as string,
        headers,
        {
          DPoP: dpop,
        },
      );
    };
    const client = await connect({}, proving);
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    const bare = await post(listTools, { authorization: `DPoP ${token}` });
    expect(bare.status).toBe(401);
  });

  it('never passes the caller credential upstream: the server sees only its own stored credential', async () => {
    const config = await ciClient(['tools:write']);
    const token = (await oidc.clientCredentialsGrant(config, { scope: 'tools:write', resource: s.mcp }))
      .access_token;
    const before = recorder.headers.length;
    for (const auth of [s.t.auth.authorization, `Bearer ${token}`]) {
      const client = await connect({ authorization: auth });
      try {
        await client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/b' } });
        await client.readResource({ uri: 'recorder://notes/today' });
      } finally {
        await client.close();
      }
    }
    const seen = recorder.headers.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const h of seen) {
      expect(h.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      const all = JSON.stringify(h);
      expect(all).not.toContain(s.t.adminKey);
      expect(all).not.toContain(token);
    }
  });
});

async function addPolicy(name: string, policy: string) {
  const res = await s.t.app.inject({
    method: 'POST',
    url: '/v1/policies',
    headers: s.t.auth,
    payload: { name, policy },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const removePolicy = (id: string) =>
  s.t.app.inject({ method: 'DELETE', url: `/v1/policies/${id}`, headers: s.t.auth });

describe('policy at use time', () => {
  it('lists only the tools the PDP allows (one decision per list) and refuses a forbidden call naming its decision', async () => {
    const id = await addPolicy(
      'no-delete-file',
      'forbid (principal, action == SprintConnect::Action::"tools:call", resource is SprintConnect::Capability) when { resource.name == "delete_file" };',
    );
    const client = await connect(s.t.auth);
    try {
      const names = await eventually(async () => {
        const n = (await client.listTools()).tools.map((t) => t.name);
        return n.includes('recorder__delete_file') ? undefined : n;
      });
      expect(names).toContain('recorder__read_file');
      const e = await failure(
        client.callTool({ name: 'recorder__delete_file', arguments: { path: '/tmp/c' } }),
      );
      expect(e).toMatchObject({ code: -32003 });
      const decisionId = (e?.data as { decisionId?: string } | undefined)?.decisionId;
      expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(e?.message)).toContain(decisionId);
      expect(records.at(-1)).toMatchObject({ tool: 'delete_file', outcome: 'denied', decisionId });
    } finally {
      await client.close();
      await removePolicy(id);
    }
  });

  it('decides each call on its top-level arguments: context.args tags (path like /etc/*) deny, others pass', async () => {
    const id = await addPolicy(
      'no-etc',
      'forbid (principal, action == SprintConnect::Action::"tools:call", resource) when { context has args && context.args.hasTag("path") && context.args.getTag("path") like "/etc/*" };',
    );
    const client = await connect(s.t.auth);
    try {
      const denied = await eventually(async () => {
        const e = await failure(
          client.callTool({ name: 'recorder__read_file', arguments: { path: '/etc/passwd' } }),
        );
        return e === undefined ? undefined : e;
      });
      expect(denied).toMatchObject({ code: -32003 });
      expect(
        text(await client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/ok' } })),
      ).toBe('called read_file');
      expect(records.at(-1)).toMatchObject({
        orgId: s.t.orgId,
        tool: 'read_file',
        outcome: 'ok',
        endpoint: 'default',
      });
    } finally {
      await client.close();
      await removePolicy(id);
    }
  });

  it("decides each call on the tool's annotations (context.annotations.destructiveHint)", async () => {
    const id = await addPolicy(
      'no-destructive',
      'forbid (principal, action == SprintConnect::Action::"tools:call", resource) when { context has annotations && context.annotations has destructiveHint && context.annotations.destructiveHint };',
    );
    const client = await connect(s.t.auth);
    try {
      const denied = await eventually(async () =>
        failure(client.callTool({ name: 'recorder__delete_file', arguments: { path: '/tmp/d' } })),
      );
      expect(denied).toMatchObject({ code: -32003 });
      expect(
        text(await client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/d' } })),
      ).toBe('called read_file');
    } finally {
      await client.close();
      await removePolicy(id);
    }
  });
});

describe('fail closed', () => {
  it('denies a call when a policy cannot be evaluated for it (an engine error is a deny, not a skip)', async () => {
    // Evaluating this forbid overflows a Long (an evaluation error) only for calls with an argument `n`.
    const id = await addPolicy(
      'overflows',
      'forbid (principal, action == SprintConnect::Action::"tools:call", resource) when { context has args && context.args.hasTag("n") && context.time.minute + 9223372036854775807 + 1 > 0 };',
    );
    const client = await connect(s.t.auth);
    try {
      const denied = await eventually(async () =>
        failure(client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/e', n: 1 } })),
      );
      expect(denied).toMatchObject({ code: -32003, message: expect.stringContaining('could not decide') });
      expect(
        text(await client.callTool({ name: 'recorder__read_file', arguments: { path: '/tmp/e' } })),
      ).toBe('called read_file');
    } finally {
      await client.close();
      await removePolicy(id);
    }
  });
});

describe('upstream limits', () => {
  it('answers a JSON-RPC timeout error naming the server when the upstream hangs', async () => {
    const client = await connect(s.t.auth);
    try {
      gate.answer('hang');
      const e = await failure(client.callTool({ name: 'gated__ping', arguments: {} }));
      expect(e).toMatchObject({ code: -32004, message: expect.stringContaining('"gated"') });
      expect(records.at(-1)).toMatchObject({ tool: 'ping', outcome: 'timeout' });
    } finally {
      gate.answer('pass');
      await client.close();
    }
  });

  it('refuses a result over the size limit with a JSON-RPC error naming the server', async () => {
    const client = await connect(s.t.auth);
    try {
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        result: { content: [{ type: 'text', text: 'x'.repeat(200_000) }] },
      });
      gate.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: huge });
      const e = await failure(client.callTool({ name: 'gated__ping', arguments: {} }));
      expect(e).toMatchObject({ code: -32005, message: expect.stringContaining('"gated"') });
    } finally {
      gate.answer('pass');
      await client.close();
    }
  });
});

describe('cancellation', () => {
  it('tells the upstream notifications/cancelled for its request when the caller goes away', async () => {
    gate.answer((n) => (n === 0 ? 'hang' : 'pass'));
    const before = gate.log.length;
    const aborted = new AbortController();
    const call = fetch(s.mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...s.t.auth },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'gated__ping' } }),
      signal: aborted.signal,
    }).catch(() => undefined);
    try {
      await eventually(async () => (gate.hanging() > 0 ? true : undefined));
      aborted.abort();
      await call;
      const cancelled = await eventually(async () =>
        gate.log.slice(before).find((e) => e.rpc === 'notifications/cancelled'),
      );
      expect(cancelled.answer).not.toBe('hang');
      expect(records.at(-1)).toMatchObject({ tool: 'ping', outcome: 'error' });
    } finally {
      gate.answer('pass');
    }
  });
});

describe('2025-era upstream sessions', () => {
  it('reuses a small pool of initialized sessions, and re-initializes one the upstream forgot (404)', async () => {
    const client = await connect(s.t.auth);
    try {
      const before = forgetful.initialized();
      for (let i = 0; i < 6; i++) {
        expect(text(await client.callTool({ name: 'forgetful__hello', arguments: {} }))).toBe('hello');
      }
      // Six calls, at most two sessions opened (the pool), not one per call.
      const opened = forgetful.initialized() - before;
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(2);
      forgetful.forget();
      expect(text(await client.callTool({ name: 'forgetful__hello', arguments: {} }))).toBe('hello');
      expect(forgetful.initialized()).toBe(before + opened + 1);
    } finally {
      await client.close();
    }
  });
});
