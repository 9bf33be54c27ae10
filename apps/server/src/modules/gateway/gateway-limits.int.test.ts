/**
 * Issue 11 point 8 on `/mcp`: each `tools/call` counts against the caller's API-key rate limit and its org's
 * rate limit and monthly budget (the very admission steps /v1 runs); over a limit the call is the JSON-RPC error
 * -32029 carrying the retry time, and the upstream is never called. Policy denials and destructive calls leave
 * audit events (actor, tool, server, decision id, outcome); an allowed read-only call leaves none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import { withTenant } from '../../platform/db/index.ts';

const EGRESS_LIMIT = 20;
let s: OAuthTestApp;
let gate: RunningGate;
const SYSTEM = () => ({ type: 'system' as const, id: 'test', orgId: s.t.orgId });

const register = (auth: { authorization: string }, name: string, url: string) =>
  registerDiscovered(s.t, auth, { name, url });

beforeAll(async () => {
  s = await startOAuthApp({
    // A low outbound limit: discovery needs a few requests, the proxied calls below need more than all of it.
    env: {
      SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32',
      SPRINTCONNECT_EGRESS_RATE_LIMIT: String(EGRESS_LIMIT),
    },
    gateway: { catalogueTtlMs: 0 },
  });
  gate = await startGate([
    { name: 'look', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
    { name: 'wipe', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } },
    { name: 'poke', inputSchema: { type: 'object' } },
  ]);
  await register(s.t.auth, 'tools', `${gate.origin}/mcp`);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await gate?.close();
});

interface RpcAnswer {
  readonly result?: unknown;
  readonly error?: {
    readonly code: number;
    readonly message: string;
    readonly data: {
      readonly code?: string;
      readonly retryAfterSeconds?: number;
      readonly decisionId?: string;
      readonly limits?: unknown[];
    };
  };
}

let nextId = 1;
async function call(auth: { authorization: string }, tool: string) {
  const res = await fetch(`${s.publicUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...auth },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: `tools__${tool}`, arguments: {} },
    }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as RpcAnswer };
}
const upstreamCalls = () => gate.log.filter((e) => e.rpc === 'tools/call').length;

async function auditOf(orgId: string, action: string) {
  return withTenant(s.t.database.adminDb, orgId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'target_id', 'data'])
      .where('org_id', '=', orgId)
      .where('action', '=', action)
      .orderBy('id')
      .execute(),
  );
}

describe('limits on /mcp calls', () => {
  it('refuses a key over its rate limit with JSON-RPC -32029 carrying the retry time, without calling the upstream', async () => {
    const key = await s.t.sc.apiKeys.keys.create(SYSTEM(), { name: 'slow', scopes: ['admin'], rateLimit: 2 });
    const auth = { authorization: `Bearer ${key.token}` };
    expect((await call(auth, 'look')).body.result).toBeDefined();
    expect((await call(auth, 'look')).body.result).toBeDefined();
    const before = upstreamCalls();
    const over = await call(auth, 'look');
    expect(over.body.error).toMatchObject({ code: -32029, data: { code: 'rate_limited' } });
    const wait = over.body.error?.data.retryAfterSeconds ?? 0;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(over.body.error?.message).toContain(`retry in ${wait} s`);
    expect(over.body.error?.data.limits).toContainEqual(
      expect.objectContaining({ policy: 'api-key', limit: 2 }),
    );
    expect(upstreamCalls()).toBe(before);
  });

  it("refuses a call once the org's monthly budget is exhausted (block mode), without calling the upstream", async () => {
    const org = await s.t.newOrg('budget-gateway');
    await register(org.auth, 'tools', `${gate.origin}/mcp`);
    expect((await call(org.auth, 'look')).body.result).toBeDefined();
    // Everything the org did so far (registration, polling, the call) is more than one call: now it is used up.
    const set = await s.t.app.inject({
      method: 'PUT',
      url: '/v1/budget',
      headers: org.auth,
      payload: { limit: 1, mode: 'block' },
    });
    expect(set.statusCode, set.body).toBe(200);
    const before = upstreamCalls();
    const refused = await call(org.auth, 'look');
    expect(refused.body.error).toMatchObject({ code: -32029, data: { code: 'budget_exhausted' } });
    expect(refused.body.error?.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(upstreamCalls()).toBe(before);
  });
});

describe('proxied calls and the outbound rate limit', () => {
  it("does not hold proxied calls to the org's outbound (discovery) rate limit: the gateway's own limits govern them", async () => {
    const key = await s.t.sc.apiKeys.keys.create(SYSTEM(), {
      name: 'busy',
      scopes: ['admin'],
      rateLimit: 1000,
    });
    const auth = { authorization: `Bearer ${key.token}` };
    const before = upstreamCalls();
    const answers = [];
    for (let i = 0; i < EGRESS_LIMIT * 2; i++) answers.push((await call(auth, 'look')).body);
    expect(answers.filter((a) => a.error !== undefined)).toEqual([]);
    expect(upstreamCalls() - before).toBe(EGRESS_LIMIT * 2);
  });
});

describe('audit of /mcp calls', () => {
  it('records a denied call and a destructive call as audit events, and nothing for an allowed read-only call', async () => {
    const added = await s.t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: s.t.auth,
      payload: {
        name: 'no-poke',
        policy:
          'forbid (principal, action == SprintConnect::Action::"tools:call", resource is SprintConnect::Capability) when { resource.name == "poke" };',
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    const denied = await eventually(async () => {
      const r = await call(s.t.auth, 'poke');
      return r.body.error?.code === -32003 ? r : undefined;
    });
    const decisionId = denied.body.error?.data.decisionId;
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(s.t.auth, 'wipe')).body.result).toBeDefined();
    expect((await call(s.t.auth, 'look')).body.result).toBeDefined();

    const deniedEvents = await auditOf(s.t.orgId, 'gateway.call_denied');
    expect(deniedEvents.at(-1)).toMatchObject({
      actor_type: 'api_key',
      target_id: expect.stringMatching(/\/poke$/),
      data: {
        tool: 'poke',
        server: { name: 'tools' },
        decisionId,
        outcome: 'denied',
        invocationClass: 'write',
      },
    });
    const destructive = await auditOf(s.t.orgId, 'gateway.destructive_call');
    expect(destructive.at(-1)).toMatchObject({
      actor_type: 'api_key',
      data: { tool: 'wipe', server: { name: 'tools' }, outcome: 'ok', invocationClass: 'destructive' },
    });
    expect((destructive.at(-1)?.data as { decisionId?: string } | undefined)?.decisionId).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    const all = await withTenant(s.t.database.adminDb, s.t.orgId, (tx) =>
      tx.selectFrom('audit_events').select('target_id').where('org_id', '=', s.t.orgId).execute(),
    );
    expect(all.filter((r) => r.target_id.endsWith('/look'))).toEqual([]);
  });
});
