/**
 * Issue 11 point 4, "obligations apply (throttle class, redaction of named result fields)" (ADR 0048): the
 * obligations of the policies that allowed a `tools/call` apply to it as they do on /v1. A real SDK v2 client
 * calls a real MCP server through `/mcp` under a Cedar policy annotated `@obligation_redact("result.<field>")`
 * and `@obligation_throttle("expensive")`.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningCatalogServer, startCatalogServer } from '../../../test/mcp-servers/catalog-server.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import type { GatewayCallRecord } from './gateway-call.ts';

const ACCOUNT = {
  id: 'acct-7',
  owner: 'Ada',
  ssn: '078-05-1120',
  card: { number: '4111111111111111', last4: '1111' },
};

let s: OAuthTestApp;
let upstream: RunningCatalogServer;
let client: Client;
const records: GatewayCallRecord[] = [];
let calls = 0;

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { catalogueTtlMs: 0, usage: { record: (r) => records.push(r) } },
  });
  upstream = await startCatalogServer(
    () => ({
      serverInfo: { name: 'accounts', version: '1.0.0' },
      tools: [
        { name: 'get_account', inputSchema: { type: 'object' } },
        { name: 'get_plain', inputSchema: { type: 'object' } },
      ],
      results: {
        get_account: {
          content: [{ type: 'text', text: JSON.stringify(ACCOUNT) }],
          structuredContent: ACCOUNT,
        },
        get_plain: { content: [{ type: 'text', text: JSON.stringify(ACCOUNT) }], structuredContent: ACCOUNT },
      },
    }),
    {
      onRequest: (req) => {
        if (req.method === 'POST') calls += 1;
      },
    },
  );
  await registerDiscovered(s.t, s.t.auth, { name: 'accounts', url: upstream.url });
  const res = await s.t.app.inject({
    method: 'POST',
    url: '/v1/policies',
    headers: s.t.auth,
    payload: {
      name: 'accounts-obligations',
      policy: `@obligation_redact("result.ssn,result.number")
@obligation_throttle("expensive")
permit (principal, action == SprintConnect::Action::"tools:call", resource is SprintConnect::Capability)
when { resource.name == "get_account" };`,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  client = new Client(
    { name: 'obligations-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(s.mcp), { requestInit: { headers: s.t.auth } }),
  );
}, 120_000);
afterAll(async () => {
  await client?.close();
  await s?.stop();
  await upstream?.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code?: number; message?: string; data?: Record<string, unknown> },
  );

describe('obligations on gateway calls', () => {
  it('accepts result.<field> in @obligation_redact when a policy is saved, and still refuses names that are neither a server field nor a result field', async () => {
    for (const bad of ['result.', 'result.a b', 'secret']) {
      const res = await s.t.app.inject({
        method: 'POST',
        url: '/v1/policies',
        headers: s.t.auth,
        payload: {
          name: 'bad-redact',
          policy: `@obligation_redact("${bad}")\npermit (principal, action == SprintConnect::Action::"tools:call", resource);`,
        },
      });
      expect(res.statusCode, bad).toBe(422);
      expect(res.json().code).toBe('policy_invalid');
    }
    const ok = await s.t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: s.t.auth,
      payload: {
        name: 'good-redact',
        policy:
          '@obligation_redact("url,result.api_token")\nforbid (principal, action == SprintConnect::Action::"tools:call", resource is SprintConnect::Capability) when { resource.name == "nothing_has_this_name" };',
      },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    await s.t.app.inject({ method: 'DELETE', url: `/v1/policies/${ok.json().id}`, headers: s.t.auth });
  });

  it('masks the fields a permitting policy redacts (structuredContent and JSON text) and names them; other tools are untouched', async () => {
    const r = (await client.callTool({ name: 'accounts__get_account', arguments: {} })) as {
      structuredContent: typeof ACCOUNT;
      content: { text: string }[];
      _meta?: Record<string, unknown>;
    };
    expect(r.structuredContent).toEqual({ ...ACCOUNT, ssn: null, card: { number: null, last4: '1111' } });
    const text = r.content[0]?.text ?? '';
    expect(text).not.toContain(ACCOUNT.ssn);
    expect(text).not.toContain(ACCOUNT.card.number);
    expect(JSON.parse(text)).toEqual({ ...ACCOUNT, ssn: null, card: { number: null, last4: '1111' } });
    expect(r._meta?.['dev.sprintconnect/redacted']).toEqual(['number', 'ssn']);

    // No redacting policy permits get_plain (the caller's role does): its result is relayed as the server said.
    const plain = (await client.callTool({ name: 'accounts__get_plain', arguments: {} })) as {
      structuredContent: typeof ACCOUNT;
    };
    expect(plain.structuredContent).toEqual(ACCOUNT);
  });

  it('holds the caller to the policy throttle class: the call past the class limit is refused with the retry time and never reaches the server', async () => {
    // `expensive` allows 10 calls a minute per caller (docs/rate-limits.md); the first test spent one.
    let refused: Awaited<ReturnType<typeof failure>>;
    let allowed = 1;
    for (;;) {
      refused = await failure(client.callTool({ name: 'accounts__get_account', arguments: {} }));
      if (refused !== undefined) break;
      allowed += 1;
      expect(allowed).toBeLessThanOrEqual(10);
    }
    expect(allowed).toBe(10);
    expect(refused.code).toBe(-32029);
    expect(refused.message).toMatch(/"expensive" rate class.*try again in \d+ s/);
    expect(refused.data).toMatchObject({ code: 'rate_limited', rateClass: 'expensive' });
    expect(refused.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.data?.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    const before = calls;
    await failure(client.callTool({ name: 'accounts__get_account', arguments: {} }));
    expect(calls).toBe(before);
    await eventually(async () => (records.at(-1)?.outcome === 'rate_limited' ? true : undefined));
    // The throttle is the policy's, for that tool: another tool is not held to it.
    expect(await failure(client.callTool({ name: 'accounts__get_plain', arguments: {} }))).toBeUndefined();
  });
});
