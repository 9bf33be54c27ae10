/**
 * Issue 11 point 6, ADR 0047: `notifications/tools/list_changed` reaches the gateway's connected callers when
 * discovery stores a new capability version or a policy changes, from whichever process made the change. The
 * callers hold their streams on a second SprintConnect OS process (api role only, so it runs no discovery);
 * the rediscovery and the policy change happen in this one. A 2025-era SDK client listens on its standalone GET
 * stream, a 2026-07-28 client with `subscriptions/listen`; a caller of another org hears nothing.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

let s: OAuthTestApp;
let other: ServerProcess;
let mutable: RunningMutableServer;
let serverId: string;
let otherOrgKey: string;

beforeAll(async () => {
  // This process's catalogue is kept far longer than the test runs: only the change signal can refresh it.
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { catalogueTtlMs: 600_000 },
  });
  mutable = await startMutable([{ name: 'echo', inputSchema: { type: 'object' } }]);
  serverId = await registerDiscovered(s.t, s.t.auth, { name: 'mutable', url: mutable.url });
  otherOrgKey = (await s.t.newOrg('elsewhere')).key;
  other = await startServerProcess(s.t.database.adminUrl, { SPRINTCONNECT_ROLE: 'api' });
}, 120_000);
afterAll(async () => {
  await other?.stop();
  await s?.stop();
  await mutable?.close();
});

/** The proxied tools' names: the platform tools (`sprintconnect__*`, ADR 0045) are on every /mcp list. */
const proxied = (tools: readonly { name: string }[]) =>
  tools.map((t) => t.name).filter((n) => !n.startsWith('sprintconnect__'));

interface Listening {
  readonly changes: number;
  listTools(): Promise<string[]>;
  close(): Promise<void>;
}

/** A 2025-era SDK v1 client whose standalone GET stream is open (its fetch says when the GET was answered 200). */
async function legacyListener(base: string, key: string): Promise<Listening> {
  let changes = 0;
  let streamOpen: () => void = () => {};
  const opened = new Promise<void>((r) => {
    streamOpen = r;
  });
  const spy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && res.status === 200) streamOpen();
    return res;
  };
  const c = new V1Client({ name: 'listener', version: '1.0.0' });
  c.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  await c.connect(
    new V1Transport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
      fetch: spy,
    }),
  );
  await opened;
  return {
    get changes() {
      return changes;
    },
    listTools: async () => proxied((await c.listTools()).tools),
    close: () => c.close(),
  };
}

/** A 2026-07-28 SDK v2 client with an acknowledged `subscriptions/listen` stream for tool list changes. */
async function modernListener(base: string, key: string): Promise<Listening & { honored: unknown }> {
  let changes = 0;
  const c = new Client({ name: 'listener', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  c.setNotificationHandler('notifications/tools/list_changed', () => {
    changes++;
  });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  const sub = await c.listen({ toolsListChanged: true });
  return {
    honored: sub.honoredFilter,
    get changes() {
      return changes;
    },
    listTools: async () => proxied((await c.listTools()).tools),
    close: () => c.close(),
  };
}

describe('list_changed reaches connected callers across processes (issue 11 point 6, ADR 0047)', () => {
  it('after a rediscovery in another process stores a new version, and after a policy change; not another org', async () => {
    const legacy = await legacyListener(other.url, s.t.adminKey);
    const modern = await modernListener(other.url, s.t.adminKey);
    const stranger = await legacyListener(other.url, otherOrgKey);
    const local = await legacyListener(s.publicUrl, s.t.adminKey);
    try {
      expect(modern.honored).toEqual({ toolsListChanged: true });
      expect(await local.listTools()).toEqual(['mutable__echo']);

      mutable.setTools([
        { name: 'echo', inputSchema: { type: 'object' } },
        { name: 'added', inputSchema: { type: 'object' } },
      ]);
      const run = await s.t.app.inject({
        method: 'POST',
        url: `/v1/servers/${serverId}/discover`,
        headers: s.t.auth,
        payload: {},
      });
      expect(run.statusCode, run.body).toBeLessThan(300);
      await eventually(
        async () => (legacy.changes >= 1 && modern.changes >= 1 && local.changes >= 1 ? true : undefined),
        30_000,
        'list_changed after rediscovery',
      );
      // The cached catalogue (kept 10 minutes here) was dropped on the same signal.
      expect(await local.listTools()).toEqual(['mutable__echo', 'mutable__added']);
      expect(await legacy.listTools()).toEqual(['mutable__echo', 'mutable__added']);

      const before = { legacy: legacy.changes, modern: modern.changes };
      const policy = await s.t.app.inject({
        method: 'POST',
        url: '/v1/policies',
        headers: s.t.auth,
        payload: {
          name: 'viewers-list',
          policy:
            'permit (principal in SprintConnect::Role::"viewer", action == SprintConnect::Action::"servers:list", resource);',
        },
      });
      expect(policy.statusCode, policy.body).toBe(201);
      await eventually(
        async () => (legacy.changes > before.legacy && modern.changes > before.modern ? true : undefined),
        30_000,
        'list_changed after a policy change',
      );
      expect(stranger.changes).toBe(0);
    } finally {
      await Promise.all([legacy.close(), modern.close(), stranger.close(), local.close()]);
    }
  });
});
