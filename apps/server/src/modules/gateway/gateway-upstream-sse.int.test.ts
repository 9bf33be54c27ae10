/**
 * Issue 11 points 6 and 10, ADR 0047: a server registered with the legacy HTTP+SSE transport is proxied like any
 * other. server-everything runs in SSE mode; clients of both SDK lines and both eras list and call through the
 * gateway exactly what an SSE client lists and calls direct, concurrent calls share one upstream stream, and
 * progress the upstream streams for a call reaches that call's caller.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let everything: RunningEverything;

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  everything = await startEverything('sse');
  await registerDiscovered(s.t, s.t.auth, { name: 'legacy', url: everything.url, transport: 'sse' });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await everything?.close();
});

type Line = 'v1' | 'v2-2025' | 'v2-2026';

interface AnyClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(
    p: { name: string; arguments: Record<string, unknown> },
    o?: Record<string, unknown>,
  ): Promise<unknown>;
  close(): Promise<void>;
}

async function direct(): Promise<AnyClient> {
  const c = new V1Client({ name: 'sse-parity', version: '1.0.0' });
  await c.connect(new V1SseTransport(new URL(everything.url)));
  return c as unknown as AnyClient;
}

async function viaGateway(line: Line): Promise<AnyClient> {
  const requestInit = { headers: { authorization: `Bearer ${s.t.adminKey}` } };
  if (line === 'v1') {
    const c = new V1Client({ name: 'sse-parity', version: '1.0.0' });
    await c.connect(new V1Transport(new URL(s.mcp), { requestInit }));
    return c as unknown as AnyClient;
  }
  const c = new Client(
    { name: 'sse-parity', version: '1.0.0' },
    line === 'v2-2026' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  await c.connect(new StreamableHTTPClientTransport(new URL(s.mcp), { requestInit }));
  return c as unknown as AnyClient;
}

/** The definition without its name (prefixed by the gateway) nor, across eras, the 2025-only `execution`. */
const definition = (t: { name: string }, acrossEras: boolean) => {
  const { name: _name, ...rest } = t as Record<string, unknown> & { name: string };
  if (acrossEras) delete rest['execution'];
  return rest;
};

const CALLS: [string, Record<string, unknown>][] = [
  ['echo', { message: 'over sse' }],
  ['get-sum', { a: 2, b: 40 }],
  ['get-structured-content', { location: 'New York' }],
  ['get-tiny-image', {}],
];

describe('an upstream over the legacy HTTP+SSE transport is proxied (issue 11 points 6 and 10, ADR 0047)', () => {
  for (const line of ['v1', 'v2-2025', 'v2-2026'] as const) {
    it(`${line} client: the same tool definitions and call results through the gateway as an SSE client gets direct`, async () => {
      const [d, g] = await Promise.all([direct(), viaGateway(line)]);
      try {
        const mine = (await d.listTools()).tools;
        const theirs = new Map((await g.listTools()).tools.map((t) => [t.name, t]));
        expect(mine.length).toBeGreaterThan(5);
        for (const tool of mine) {
          const proxied = theirs.get(`legacy__${tool.name}`);
          expect(proxied, tool.name).toBeDefined();
          expect(definition(proxied!, line === 'v2-2026')).toEqual(definition(tool, line === 'v2-2026'));
        }
        for (const [name, args] of CALLS) {
          const want = await d.callTool({ name, arguments: args });
          const got = await g.callTool({ name: `legacy__${name}`, arguments: args });
          expect(got, name).toEqual(want);
        }
      } finally {
        await Promise.all([d.close(), g.close()]);
      }
    });
  }

  it('concurrent calls share the upstream stream and each gets its own answer', async () => {
    const g = await viaGateway('v2-2025');
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          g.callTool({ name: 'legacy__get-sum', arguments: { a: i, b: 1000 } }),
        ),
      );
      results.forEach((r, i) => {
        expect(JSON.stringify(r)).toContain(String(i + 1000));
      });
    } finally {
      await g.close();
    }
  });

  it("progress the SSE upstream streams for a call reaches that call's caller", async () => {
    const g = await viaGateway('v2-2025');
    const seen: unknown[] = [];
    try {
      const r = await g.callTool(
        { name: 'legacy__trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } },
        {
          onprogress: (p: unknown) => seen.push(p),
        },
      );
      expect(JSON.stringify(r)).toContain('completed');
      expect(seen.length).toBe(3);
    } finally {
      await g.close();
    }
  });
});
