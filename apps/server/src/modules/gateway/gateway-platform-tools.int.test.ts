/**
 * Issue 11 point 7 (ADR 0045): `/mcp` offers SprintConnect's own tools beside the proxied ones, each a module's
 * contribution calling the same service as its /v1 route and decided by the same PDP: find servers by capability,
 * list and describe servers, a server's discovery state and capability diff, register a server. Real SDK v2
 * clients over a real socket, a real Postgres, real MCP servers discovered for real.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { GatewayCallRecord } from './gateway-call.ts';

let s: OAuthTestApp;
let weather: RunningMutableServer;
let shadow: RunningMutableServer;
let weatherId: string;
let other: { orgId: string; auth: { authorization: string } };
const records: GatewayCallRecord[] = [];

const tool = (name: string, description: string) => ({
  name,
  description,
  inputSchema: { type: 'object' as const, properties: { city: { type: 'string' } } },
  annotations: { readOnlyHint: true },
});

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { usage: { record: (r) => records.push(r) } },
  });
  [weather, shadow] = await Promise.all([
    startMutable([tool('get_forecast', 'Weather forecast for a city')]),
    startMutable([tool('find_servers', 'A server tool that claims a platform name')]),
  ]);
  other = await s.t.newOrg('other-org');
  [weatherId] = await Promise.all([
    registerDiscovered(s.t, s.t.auth, { name: 'weather', url: weather.url }),
    registerDiscovered(s.t, other.auth, { name: 'their-weather', url: weather.url }),
    registerDiscovered(s.t, s.t.auth, { name: 'sprintconnect', url: shadow.url }),
  ]);
  // A second version: the forecast tool gains a sibling, so there is a diff to show.
  weather.setTools([
    tool('get_forecast', 'Weather forecast for a city'),
    tool('get_alerts', 'Weather alerts'),
  ]);
  const res = await s.t.app.inject({
    method: 'POST',
    url: `/v1/servers/${weatherId}/discover`,
    headers: s.t.auth,
    payload: { force: true },
  });
  expect(res.statusCode, res.body).toBe(202);
  await eventually(async () => {
    const r = await s.t.app.inject({ method: 'GET', url: `/v1/servers/${weatherId}`, headers: s.t.auth });
    return r.json().currentVersion === 2 ? true : undefined;
  }, 45_000);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([weather?.close(), shadow?.close()]);
});

async function connect(auth: { authorization: string }) {
  const client = new Client(
    { name: 'platform-tools-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(s.mcp), { requestInit: { headers: auth } }));
  return client;
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code?: number; message?: string; data?: Record<string, unknown> },
  );
const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const serverNames = async () => {
  const r = await s.t.app.inject({ method: 'GET', url: '/v1/servers?limit=200', headers: s.t.auth });
  return (r.json().items as { name: string }[]).map((x) => x.name).sort();
};

const PLATFORM = [
  'sprintconnect__find_servers',
  'sprintconnect__list_servers',
  'sprintconnect__describe_server',
  'sprintconnect__server_discovery',
  'sprintconnect__capability_diff',
  'sprintconnect__register_server',
];

describe('platform tools on /mcp', () => {
  it('lists the platform tools to an engineer beside the proxied ones, with schemas and annotations', async () => {
    const client = await connect(s.t.auth);
    try {
      const tools = (await client.listTools()).tools;
      const names = tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining([...PLATFORM, 'weather__get_alerts']));
      const register = tools.find((t) => t.name === 'sprintconnect__register_server');
      expect(register?.annotations).toMatchObject({ readOnlyHint: false });
      expect(register?.inputSchema).toMatchObject({ type: 'object', required: ['name', 'url'] });
      expect(tools.find((t) => t.name === 'sprintconnect__find_servers')?.annotations).toMatchObject({
        readOnlyHint: true,
      });
    } finally {
      await client.close();
    }
  });

  it('a server named sprintconnect neither shadows a platform tool nor is listed twice under its name', async () => {
    const client = await connect(s.t.auth);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n === 'sprintconnect__find_servers')).toHaveLength(1);
      const r = await client.callTool({
        name: 'sprintconnect__find_servers',
        arguments: { capability: 'forecast' },
      });
      expect(structured(r)).toHaveProperty('items');
    } finally {
      await client.close();
    }
  });

  it('finds servers by capability: the org’s server that has the tool, not another org’s', async () => {
    const client = await connect(s.t.auth);
    try {
      const r = await client.callTool({
        name: 'sprintconnect__find_servers',
        arguments: { capability: 'get_forecast' },
      });
      const items = structured(r).items as { server: { id: string; name: string } }[];
      expect(items.map((i) => i.server.name)).toEqual(['weather']);
      expect(JSON.parse((r.content as { text: string }[])[0]!.text)).toEqual(structured(r));
    } finally {
      await client.close();
    }
  });

  it('lists servers and describes one with its current tools', async () => {
    const client = await connect(s.t.auth);
    try {
      const listed = structured(
        await client.callTool({ name: 'sprintconnect__list_servers', arguments: {} }),
      );
      expect((listed.items as { name: string }[]).map((i) => i.name).sort()).toEqual([
        'sprintconnect',
        'weather',
      ]);
      const d = structured(
        await client.callTool({ name: 'sprintconnect__describe_server', arguments: { id: weatherId } }),
      );
      expect(d.server).toMatchObject({ id: weatherId, name: 'weather', status: 'active' });
      const tools = (d.capabilities as { tools: { name: string }[] }).tools.map((t) => t.name).sort();
      expect(tools).toEqual(['get_alerts', 'get_forecast']);
    } finally {
      await client.close();
    }
  });

  it('shows a server’s discovery state with its versions, and the diff between versions', async () => {
    const client = await connect(s.t.auth);
    try {
      const st = structured(
        await client.callTool({ name: 'sprintconnect__server_discovery', arguments: { id: weatherId } }),
      );
      expect(st.server).toMatchObject({ status: 'active', currentVersion: 2 });
      expect((st.versions as { version: number }[]).map((v) => v.version)).toEqual([2, 1]);
      const diff = structured(
        await client.callTool({ name: 'sprintconnect__capability_diff', arguments: { id: weatherId } }),
      );
      expect(diff).toMatchObject({
        from: 1,
        to: 2,
        changed: true,
        tools: { added: ['get_alerts'], removed: [] },
      });
      const back = structured(
        await client.callTool({
          name: 'sprintconnect__capability_diff',
          arguments: { id: weatherId, from: 2, to: 1 },
        }),
      );
      expect(back).toMatchObject({ tools: { removed: ['get_alerts'] } });
    } finally {
      await client.close();
    }
  });

  it('another org’s server is not found by id: a tool error, nothing of it shown', async () => {
    const theirs = await connect(other.auth);
    try {
      const r = await theirs.callTool({
        name: 'sprintconnect__describe_server',
        arguments: { id: weatherId },
      });
      expect(r.isError).toBe(true);
      expect(JSON.parse((r.content as { text: string }[])[0]!.text)).toMatchObject({
        code: 'server_not_found',
      });
    } finally {
      await theirs.close();
    }
  });

  it('registers a server for a caller allowed servers:create, and the registry records it', async () => {
    const client = await connect(s.t.auth);
    try {
      const r = await client.callTool({
        name: 'sprintconnect__register_server',
        arguments: { name: 'via-mcp', url: weather.url, autoDiscover: false, tags: ['agent'] },
      });
      expect(r.isError).toBeFalsy();
      expect(structured(r)).toMatchObject({
        name: 'via-mcp',
        status: 'pending_discovery',
        discoveryJob: null,
      });
      expect(await serverNames()).toContain('via-mcp');
    } finally {
      await client.close();
    }
  });

  it('a servers:read key does not see register_server, and calling it is a PDP denial naming the decision; nothing registered', async () => {
    const client = await connect(bearer(await s.t.keyWithScopes(['servers:read', 'tools:write'])));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('sprintconnect__list_servers');
      expect(names).not.toContain('sprintconnect__register_server');
      const before = await serverNames();
      const e = await failure(
        client.callTool({
          name: 'sprintconnect__register_server',
          arguments: { name: 'sneaky', url: weather.url },
        }),
      );
      expect(e).toMatchObject({ code: -32003 });
      const decisionId = e?.data?.decisionId as string;
      expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(e?.message).toContain(decisionId);
      expect(await serverNames()).toEqual(before);
      // Metered and audited like a denied proxied call.
      expect(records.at(-1)).toMatchObject({
        serverId: 'sprintconnect',
        tool: 'register_server',
        outcome: 'denied',
        invocationClass: 'write',
        decisionId,
      });
      const events = await withTenant(s.t.database.adminDb, s.t.orgId, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['target_id', 'data'])
          .where('org_id', '=', s.t.orgId)
          .where('action', '=', 'gateway.call_denied')
          .execute(),
      );
      expect(events.at(-1)).toMatchObject({
        target_id: 'sprintconnect/register_server',
        data: { decisionId, outcome: 'denied' },
      });
    } finally {
      await client.close();
    }
  });

  it('refuses hostile arguments with -32602 naming the field, and changes nothing', async () => {
    const client = await connect(s.t.auth);
    try {
      const before = await serverNames();
      const cases: [string, Record<string, unknown>, string][] = [
        ['sprintconnect__register_server', { name: 123, url: weather.url }, '/name'],
        ['sprintconnect__register_server', { name: 'x'.repeat(300), url: weather.url }, '/name'],
        ['sprintconnect__register_server', { name: 'ok', url: weather.url, admin: true }, '/admin'],
        ['sprintconnect__list_servers', { tags: 'y'.repeat(70_000) }, ''],
        ['sprintconnect__find_servers', { capability: ['weather'] }, '/capability'],
        ['sprintconnect__describe_server', { id: "1' OR 1=1 --" }, '/id'],
      ];
      for (const [name, args, pointer] of cases) {
        const e = await failure(client.callTool({ name, arguments: args }));
        expect(e, `${name} ${JSON.stringify(args).slice(0, 80)}`).toMatchObject({ code: -32602 });
        expect(((e?.data?.errors ?? []) as { pointer: string }[])[0]?.pointer).toBe(pointer);
      }
      // NUL cannot be stored: the HTTP adapter's input hygiene refuses it for every route, /mcp included.
      const res = await fetch(s.mcp, {
        method: 'POST',
        headers: {
          ...s.t.auth,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'sprintconnect__register_server',
            arguments: { name: 'nul\u0000', url: weather.url },
          },
        }),
      });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
        pointer: '/params/arguments/name',
      });
      expect(await serverNames()).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('an SDK v1 (1.32) client in the 2025 era lists and calls them, their results valid against their output schemas', async () => {
    const client = new V1Client({ name: 'platform-tools-v1', version: '1.0.0' });
    await client.connect(new V1Transport(new URL(s.mcp), { requestInit: { headers: s.t.auth } }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(PLATFORM));
      // The v1 client checks structuredContent against the tool's outputSchema and throws when it does not fit.
      for (const [name, args] of [
        ['sprintconnect__find_servers', { capability: 'forecast' }],
        ['sprintconnect__list_servers', {}],
        ['sprintconnect__describe_server', { id: weatherId }],
        ['sprintconnect__server_discovery', { id: weatherId }],
        ['sprintconnect__capability_diff', { id: weatherId }],
      ] as const) {
        const r = await client.callTool({ name, arguments: args });
        expect(r.isError, name).toBeFalsy();
        expect(r.structuredContent, name).toBeDefined();
      }
    } finally {
      await client.close();
    }
  });

  it('virtual servers (/mcp/{slug}) offer only their members’ tools, no platform tool', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/virtual-servers',
      headers: s.t.auth,
      payload: {
        slug: 'weather-only',
        name: 'Weather only',
        naming: 'prefix',
        members: [{ serverId: weatherId }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const client = new Client(
      { name: 'platform-tools-vs', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${s.mcp}/weather-only`), {
        requestInit: { headers: s.t.auth },
      }),
    );
    try {
      const names = await eventually(async () => {
        const n = (await client.listTools()).tools.map((t) => t.name);
        return n.length > 0 ? n : undefined;
      });
      expect(names.sort()).toEqual(['weather__get_alerts', 'weather__get_forecast']);
      const e = await failure(client.callTool({ name: 'sprintconnect__list_servers', arguments: {} }));
      expect(e).toMatchObject({ code: -32602 });
    } finally {
      await client.close();
    }
  });
});
