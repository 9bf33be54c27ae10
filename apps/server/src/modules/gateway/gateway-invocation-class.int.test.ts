/**
 * Issue 11 point 8, "the invocation class of the tool (from its annotations, overridable per tool)" (ADR 0048):
 * a virtual server's override gives a tool another class than its annotations do, and the class is applied
 * where the gateway uses it: a tool overridden to `destructive` is audited and metered as destructive through
 * that endpoint, and policies see it as `context.invocationClass` (here holding it to a throttle class); the
 * same tool through `/mcp`, where no override applies, keeps its annotations' class.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { type RunningCatalogServer, startCatalogServer } from '../../../test/mcp-servers/catalog-server.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { GatewayCallRecord } from './gateway-call.ts';

let s: OAuthTestApp;
let upstream: RunningCatalogServer;
let serverId: string;
const records: GatewayCallRecord[] = [];

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { catalogueTtlMs: 0, usage: { record: (r) => records.push(r) } },
  });
  upstream = await startCatalogServer(() => ({
    serverInfo: { name: 'ops', version: '1.0.0' },
    // `purge` claims nothing about itself: its annotations make it `write`.
    tools: [{ name: 'purge', inputSchema: { type: 'object' } }],
  }));
  serverId = await registerDiscovered(s.t, s.t.auth, { name: 'ops', url: upstream.url });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await upstream?.close();
});

let nextId = 1;
async function call(path: string, name: string) {
  const res = await fetch(`${s.publicUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...s.t.auth,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name, arguments: {} },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: Record<string, unknown> };
  };
}

const destructiveAudits = () =>
  withTenant(s.t.database.adminDb, s.t.orgId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['target_id', 'data'])
      .where('org_id', '=', s.t.orgId)
      .where('action', '=', 'gateway.destructive_call')
      .execute(),
  );

describe('per-tool invocation class override', () => {
  it('a tool a virtual server overrides to destructive is audited, metered and decided as destructive there, and only there', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/virtual-servers',
      headers: s.t.auth,
      payload: {
        slug: 'ops',
        name: 'Ops',
        naming: 'none',
        members: [{ serverId }],
        overrides: [{ serverId, tool: 'purge', invocationClass: 'destructive' }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().overrides).toEqual([{ serverId, tool: 'purge', invocationClass: 'destructive' }]);
    const bad = await s.t.app.inject({
      method: 'POST',
      url: '/v1/virtual-servers',
      headers: s.t.auth,
      payload: {
        slug: 'ops2',
        name: 'Ops 2',
        members: [{ serverId }],
        overrides: [{ serverId, tool: 'purge', invocationClass: 'dangerous' }],
      },
    });
    expect(bad.statusCode).toBe(422);

    // Through /mcp no override applies: the annotations' class, nothing audited.
    expect((await call('/mcp', 'ops__purge')).result).toBeDefined();
    expect(records.at(-1)).toMatchObject({ endpoint: 'default', invocationClass: 'write', outcome: 'ok' });
    expect(await destructiveAudits()).toHaveLength(0);

    expect((await call('/mcp/ops', 'purge')).result).toBeDefined();
    expect(records.at(-1)).toMatchObject({ endpoint: 'ops', invocationClass: 'destructive', outcome: 'ok' });
    const audits = await destructiveAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      target_id: `${serverId}/purge`,
      data: { endpoint: 'ops', invocationClass: 'destructive', outcome: 'ok' },
    });
  });

  it('policies see the overridden class as context.invocationClass: a throttle on destructive calls holds the overridden tool only', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: s.t.auth,
      payload: {
        name: 'destructive-is-expensive',
        policy: `@obligation_throttle("expensive")
permit (principal, action == SprintConnect::Action::"tools:call", resource)
when { context has invocationClass && context.invocationClass == "destructive" };`,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    // `expensive`: 10 calls a minute per caller (docs/rate-limits.md).
    let allowed = 0;
    let refused: Awaited<ReturnType<typeof call>>['error'];
    for (;;) {
      const a = await call('/mcp/ops', 'purge');
      if (a.error !== undefined) {
        refused = a.error;
        break;
      }
      allowed += 1;
      expect(allowed).toBeLessThanOrEqual(10);
    }
    expect(allowed).toBe(10);
    expect(refused).toMatchObject({ code: -32029, data: { rateClass: 'expensive' } });
    // The same tool through /mcp is `write`: the policy does not hold it.
    expect((await call('/mcp', 'ops__purge')).result).toBeDefined();
  });
});
