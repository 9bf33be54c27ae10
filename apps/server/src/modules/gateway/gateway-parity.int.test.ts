/**
 * Issue 11 point 10: clients of both SDK lines (v1 1.32, v2 2.4) and both protocol eras list and call through the
 * gateway exactly what they list and call direct: each tool's definition (title, description, schemas,
 * annotations) is the upstream's, under its gateway name, and each call's result is the upstream's result, byte
 * for byte after JSON parsing. Upstreams: server-everything (2025-era, sessions) and our 2026-only stateless
 * server, over Streamable HTTP.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import type { RunningServer } from '../../../test/mcp-servers/loopback.ts';
import { startStateless2026 } from '../../../test/mcp-servers/stateless-2026.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let everything: RunningEverything;
let modern: RunningServer;

const register = (name: string, url: string) => registerDiscovered(s.t, s.t.auth, { name, url });

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  [everything, modern] = await Promise.all([startEverything('streamable-http'), startStateless2026()]);
  await Promise.all([register('everything', everything.url), register('modern', modern.url)]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([everything?.close(), modern?.close()]);
});

interface AnyClient {
  listTools(p?: { cursor?: string }): Promise<{ tools: { name: string }[]; nextCursor?: string }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

type Line = 'v1' | 'v2-2025' | 'v2-2026';

/** A client of `line` on `url`, with the gateway's API key when `keyed`. */
async function open(line: Line, url: string, keyed: boolean): Promise<AnyClient> {
  const headers = keyed ? { authorization: `Bearer ${s.t.adminKey}` } : {};
  if (line === 'v1') {
    const c = new V1Client({ name: 'parity', version: '1.0.0' });
    await c.connect(new V1Transport(new URL(url), { requestInit: { headers } }));
    return c as unknown as AnyClient;
  }
  const c = new Client(
    { name: 'parity', version: '1.0.0' },
    line === 'v2-2026' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return c as unknown as AnyClient;
}

async function allTools(c: AnyClient) {
  const out: { name: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.listTools(cursor === undefined ? {} : { cursor });
    out.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/**
 * What the two sides must agree on: the definition without its name (which the gateway prefixes). A negotiating
 * client reaches a 2025-only upstream in the 2025 era but the gateway in 2026-07-28, whose Tool has no
 * `execution` (tasks are 2025-11-25 vocabulary the 2026 schema deleted; the SDK drops it), so across eras that
 * one field is not compared.
 */
const definition = (t: { name: string }, acrossEras = false) => {
  const { name: _name, ...rest } = t as Record<string, unknown> & { name: string };
  if (acrossEras) delete rest['execution'];
  return rest;
};

/**
 * A 2026-07-28 server names itself in each result's `_meta` (`io.modelcontextprotocol/serverInfo`); through the
 * gateway the answer is the gateway's, so the upstream's self-description is not passed off as it.
 */
function withoutServerInfo(result: unknown): unknown {
  const r = structuredClone(result) as { _meta?: Record<string, unknown> };
  if (r._meta !== undefined) {
    delete r._meta['io.modelcontextprotocol/serverInfo'];
    if (Object.keys(r._meta).length === 0) delete r._meta;
  }
  return r;
}

const CASES: readonly {
  upstream: 'everything' | 'modern';
  lines: readonly Line[];
  calls: [string, Record<string, unknown>][];
}[] = [
  {
    upstream: 'everything',
    lines: ['v1', 'v2-2025', 'v2-2026'],
    calls: [
      ['echo', { message: 'parity' }],
      ['get-sum', { a: 2, b: 40 }],
      ['get-structured-content', { location: 'New York' }],
      ['get-tiny-image', {}],
    ],
  },
  // The 2026-only server refuses 2025-era traffic, so only a negotiating client reaches it direct. Its tool_01
  // declares an output schema it does not fill, which the SDK client refuses direct, so it is not called.
  {
    upstream: 'modern',
    lines: ['v2-2026'],
    calls: [
      ['tool_02', { value: 'x' }],
      ['tool_05', { value: 'y' }],
    ],
  },
];

describe('through the gateway, clients see and get exactly what they see and get direct (issue 11 point 10)', () => {
  for (const c of CASES) {
    for (const line of c.lines) {
      it(`${line} client, ${c.upstream} upstream: same tool definitions and same call results`, async () => {
        const upstreamUrl = c.upstream === 'everything' ? everything.url : modern.url;
        const direct = await open(line, upstreamUrl, false);
        const viaGateway = await open(line, s.mcp, true);
        try {
          const mine = await allTools(direct);
          const theirs = new Map((await allTools(viaGateway)).map((t) => [t.name, t]));
          for (const tool of mine) {
            const proxied = theirs.get(`${c.upstream}__${tool.name}`);
            expect(proxied, `${c.upstream}__${tool.name}`).toBeDefined();
            const acrossEras = line === 'v2-2026' && c.upstream === 'everything';
            expect(definition(proxied!, acrossEras)).toEqual(definition(tool, acrossEras));
          }
          for (const [name, args] of c.calls) {
            const want = await direct.callTool({ name, arguments: args });
            const got = await viaGateway.callTool({ name: `${c.upstream}__${name}`, arguments: args });
            expect(withoutServerInfo(got), name).toEqual(withoutServerInfo(want));
          }
        } finally {
          await Promise.all([direct.close(), viaGateway.close()]);
        }
      });
    }
  }
});
