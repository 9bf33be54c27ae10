/**
 * Issue 11 points 1, 2, 6 and 11: `/mcp` serves the 2026-07-28 revision statelessly and the 2025 revisions
 * without a session, over a real socket to real SDK v2 clients, proxying to real upstreams (server-everything,
 * 2025-era with sessions; our stateless 2026-only server; a header-recording server); every tool of the org's
 * servers is offered as `<server>__<tool>` and each call reaches its server; another org's servers are neither
 * listed nor callable; hostile input is refused with JSON-RPC errors or problem+json and reaches no upstream.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { startSecondApp } from '../../../test/harness.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import {
  type RunningHeaderRecorder,
  startHeaderRecorder,
} from '../../../test/mcp-servers/header-recorder.ts';
import type { RunningServer } from '../../../test/mcp-servers/loopback.ts';
import { startStateless2026 } from '../../../test/mcp-servers/stateless-2026.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let everything: RunningEverything;
let modern: RunningServer;
let recorder: RunningHeaderRecorder;
let other: { orgId: string; key: string; auth: { authorization: string } };

const register = (auth: { authorization: string }, name: string, url: string) =>
  registerDiscovered(s.t, auth, { name, url });

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  [everything, modern, recorder] = await Promise.all([
    startEverything('streamable-http'),
    startStateless2026(),
    startHeaderRecorder(),
  ]);
  other = await s.t.newOrg('other-org');
  await Promise.all([
    register(s.t.auth, 'everything', everything.url),
    register(s.t.auth, 'modern', modern.url),
    register(s.t.auth, 'recorder', recorder.url),
    register(other.auth, 'theirs', recorder.url),
  ]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([everything?.close(), modern?.close(), recorder?.close()]);
});

interface Seen {
  readonly method: string | undefined;
  readonly sessionId: string | null;
}

/** An SDK v2 client on `/mcp`, recording each POSTed method and any session id the gateway answered with. */
async function connect(era: 'modern' | 'legacy', auth: { authorization: string } = s.t.auth) {
  const seen: Seen[] = [];
  const recording: typeof fetch = async (url, init) => {
    const res = await fetch(url, init);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : undefined;
    seen.push({ method: body?.method, sessionId: res.headers.get('mcp-session-id') });
    return res;
  };
  const client = new Client(
    { name: 'gateway-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(s.mcp), { fetch: recording, requestInit: { headers: auth } }),
  );
  return { client, seen };
}

const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

describe('the default endpoint /mcp', () => {
  it('serves a 2026-07-28 client statelessly (server/discover, no session) and routes each prefixed tool to its server', async () => {
    const { client, seen } = await connect('modern');
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'everything__echo',
          'modern__tool_02',
          'modern__tool_07',
          'recorder__read_file',
        ]),
      );
      expect(names.filter((n) => n.startsWith('modern__'))).toHaveLength(7);
      expect(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toBe(
        'Echo: hi',
      );
      expect(text(await client.callTool({ name: 'modern__tool_02', arguments: { value: 'x' } }))).toBe(
        'called tool_02',
      );
      expect(seen[0]?.method).toBe('server/discover');
      expect(seen.some((r) => r.method === 'initialize')).toBe(false);
      expect(seen.every((r) => r.sessionId === null)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('answers a 2025-11-25 client its initialize without a session id, then lists and calls the same tools', async () => {
    const { client, seen } = await connect('legacy');
    try {
      expect(seen[0]?.method).toBe('initialize');
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining(['everything__echo', 'modern__tool_02', 'recorder__read_file']),
      );
      expect(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'old' } }))).toBe(
        'Echo: old',
      );
      expect(text(await client.callTool({ name: 'modern__tool_03', arguments: { value: 'x' } }))).toBe(
        'called tool_03',
      );
      expect(seen.every((r) => r.sessionId === null)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('offers resources and prompts too: prompts prefixed, resources by their URI, each read routed', async () => {
    const { client } = await connect('modern');
    try {
      const resources = (await client.listResources()).resources;
      expect(resources).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ uri: 'recorder://notes/today', name: 'recorder__today' }),
        ]),
      );
      const read = await client.readResource({ uri: 'recorder://notes/today' });
      expect(read.contents[0]).toMatchObject({ uri: 'recorder://notes/today', text: 'contents of today' });
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
      expect(prompts).toEqual(expect.arrayContaining(['recorder__review', 'modern__summarize']));
      const got = await client.getPrompt({ name: 'recorder__review' });
      expect(got.messages[0]?.content).toMatchObject({ text: 'prompt review' });
    } finally {
      await client.close();
    }
  });

  it("never lists or calls another org's server: its tools are unknown here, and ours unknown there", async () => {
    const ours = await connect('modern');
    const theirs = await connect('modern', other.auth);
    try {
      const ourNames = (await ours.client.listTools()).tools.map((t) => t.name);
      expect(ourNames.some((n) => n.startsWith('theirs__'))).toBe(false);
      const call = await ours.client
        .callTool({ name: 'theirs__read_file', arguments: { path: '/tmp/x' } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(call).toMatchObject({
        code: -32602,
        message: expect.stringContaining('Unknown tool: theirs__read_file'),
      });
      // Their org's proxied tools only (the platform tools, ADR 0045, are every org's own).
      const theirNames = (await theirs.client.listTools()).tools
        .map((t) => t.name)
        .filter((n) => !n.startsWith('sprintconnect__'));
      expect(theirNames.sort()).toEqual(['theirs__delete_file', 'theirs__read_file']);
      const back = await theirs.client
        .callTool({ name: 'everything__echo', arguments: { message: 'x' } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(back).toMatchObject({ code: -32602 });
    } finally {
      await ours.client.close();
      await theirs.client.close();
    }
  });
});

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const raw = (
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  method = 'POST',
  base?: string,
) =>
  fetch(`${base ?? s.publicUrl}/mcp`, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...s.t.auth,
      ...headers,
    },
    ...(method === 'POST' ? { body } : {}),
  });
const rpcError = async (res: Response) => ((await res.json()) as { error: { code: number } }).error.code;
const modernCall = (name: string) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 7,
    method: 'tools/call',
    params: { name, arguments: { path: '/tmp/x' }, _meta: MODERN_META },
  });
const modernHeaders = (method: string, name?: string) => ({
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': method,
  ...(name === undefined ? {} : { 'mcp-name': name }),
});

describe('the 2025 revisions', () => {
  it('negotiates each of 2025-11-25, 2025-06-18 and 2025-03-26 at initialize, and 2025-11-25 for anything else', async () => {
    for (const [asked, answered] of [
      ['2025-11-25', '2025-11-25'],
      ['2025-06-18', '2025-06-18'],
      ['2025-03-26', '2025-03-26'],
      ['2024-11-05', '2025-11-25'],
    ]) {
      const res = await fetch(s.mcp, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...s.t.auth,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: asked, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('mcp-session-id')).toBeNull();
      expect(((await res.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(
        answered,
      );
    }
  });

  it('serves an SDK v1 (1.32) client: it lists and calls exactly as the v2 client does', async () => {
    const client = new V1Client({ name: 'v1-client', version: '1.0.0' });
    await client.connect(new V1Transport(new URL(s.mcp), { requestInit: { headers: s.t.auth } }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['everything__echo', 'modern__tool_02']));
      expect(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'v1' } }))).toBe(
        'Echo: v1',
      );
      expect(text(await client.callTool({ name: 'modern__tool_04', arguments: { value: 'x' } }))).toBe(
        'called tool_04',
      );
    } finally {
      await client.close();
    }
  });
});

describe('progress', () => {
  for (const era of ['modern', 'legacy'] as const) {
    it(`relays the upstream's progress notifications to a ${era === 'modern' ? '2026-07-28' : '2025-11-25'} caller that asked for them`, async () => {
      const { client } = await connect(era);
      try {
        const seen: { progress: number; total?: number }[] = [];
        const result = await client.callTool(
          { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } },
          {
            onprogress: (p) =>
              seen.push({ progress: p.progress, ...(p.total === undefined ? {} : { total: p.total }) }),
          },
        );
        expect(text(result)).toContain('Long running operation completed');
        expect(seen).toEqual([
          { progress: 1, total: 3 },
          { progress: 2, total: 3 },
          { progress: 3, total: 3 },
        ]);
      } finally {
        await client.close();
      }
    });
  }
});

describe('hostile input changes nothing and reaches no upstream', () => {
  it('refuses malformed JSON (-32700), batches and non-JSON-RPC bodies (-32600) with 400', async () => {
    const before = recorder.headers.length;
    let res = await raw('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect([res.status, await rpcError(res)]).toEqual([400, -32700]);
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'recorder__read_file' } };
    res = await raw(JSON.stringify([call, { ...call, id: 2 }]));
    expect([res.status, await rpcError(res)]).toEqual([400, -32600]);
    res = await raw(JSON.stringify({ id: 1, method: 'tools/call' }));
    expect([res.status, await rpcError(res)]).toEqual([400, -32600]);
    res = await raw(JSON.stringify({ jsonrpc: '2.0', id: { nested: true }, method: 'tools/call' }));
    expect([res.status, await rpcError(res)]).toEqual([400, -32600]);
    expect(recorder.headers.length).toBe(before);
  });

  it('answers 400 -32020 when a mirrored header disagrees with the body (or a 2026 request omits one)', async () => {
    const before = recorder.headers.length;
    const body = modernCall('recorder__read_file');
    for (const headers of [
      modernHeaders('tools/list', 'recorder__read_file'),
      modernHeaders('tools/call', 'recorder__delete_file'),
      { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/call', 'mcp-name': 'recorder__read_file' },
      { 'mcp-method': 'tools/call', 'mcp-name': 'recorder__read_file' },
    ]) {
      const res = await raw(body, headers);
      expect([res.status, await rpcError(res)]).toEqual([400, -32020]);
    }
    // A 2025-era body (no _meta version) under a 2026 header is the same lie.
    const legacy = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const lie = await raw(legacy, { 'mcp-protocol-version': '2026-07-28' });
    expect([lie.status, await rpcError(lie)]).toEqual([400, -32020]);
    expect(recorder.headers.length).toBe(before);
    // The same request with matching headers (the name base64-encoded as the spec allows) goes through.
    const ok = await raw(body, modernHeaders('tools/call', `=?base64?${btoa('recorder__read_file')}?=`));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { content: { text: string }[] } }).result.content[0]?.text).toBe(
      'called read_file',
    );
  });

  it('answers unknown methods -32601 (404 in 2026-07-28, 200 in the 2025 era)', async () => {
    const modernBody = JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/destroy',
      params: { _meta: MODERN_META },
    });
    const m = await raw(modernBody, modernHeaders('tools/destroy'));
    expect([m.status, await rpcError(m)]).toEqual([404, -32601]);
    const l = await raw(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/destroy' }));
    expect([l.status, await rpcError(l)]).toEqual([200, -32601]);
  });

  it('refuses a 20 MB body with 413 problem+json before reading it', async () => {
    const before = recorder.headers.length;
    const res = await raw(new Uint8Array(20 * 1024 * 1024).fill(0x20));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
    expect(recorder.headers.length).toBe(before);
  });

  it('answers DELETE (no session) and a GET that asks for no event stream or names 2026-07-28 (which listens by POST, ADR 0047) with 405, and refuses a foreign Origin with 403', async () => {
    const cases: [string, Record<string, string>][] = [
      ['DELETE', {}],
      ['GET', { accept: 'application/json' }],
      ['GET', { 'mcp-protocol-version': '2026-07-28' }],
    ];
    for (const [method, headers] of cases) {
      const res = await raw('', headers, method);
      expect(res.status).toBe(405);
      expect(((await res.json()) as { code: string }).code).toBe('mcp_method_not_allowed');
    }
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const foreign = await raw(body, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe('mcp_origin_not_allowed');
    expect((await raw(body, { origin: new URL(s.publicUrl).origin })).status).toBe(200);
  });
});

describe('any process answers any request', () => {
  it('a second api process on the same database answers a tools/call with no initialize before it', async () => {
    const second = await startSecondApp(s.t, {
      env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_PUBLIC_URL: s.publicUrl },
    });
    try {
      const address = await second.app.listen({ port: 0, host: '127.0.0.1' });
      const call = JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'everything__echo', arguments: { message: 'elsewhere' } },
      });
      const res = await raw(call, { 'mcp-protocol-version': '2025-11-25' }, 'POST', address);
      expect(res.status).toBe(200);
      expect(
        ((await res.json()) as { result: { content: { text: string }[] } }).result.content[0]?.text,
      ).toBe('Echo: elsewhere');
    } finally {
      await second.stop();
    }
  });
});
