/**
 * Issue 11 point 6, the relays (ADR 0046): what an upstream sends its client while a call runs (log messages,
 * input requests) reaches the gateway's caller, and a caller's `notifications/cancelled` stops the upstream call
 * even when the call runs in another api process. Upstream: the relay probe (test/mcp-servers/relay-probe.ts),
 * a 2025-era SDK v1 server with sessions; callers are real SDK clients over real sockets.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { type RunningMrtr, startMrtr2026 } from '../../../test/mcp-servers/mrtr-2026.ts';
import { type RunningRelayProbe, startRelayProbe } from '../../../test/mcp-servers/relay-probe.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let probe: RunningRelayProbe;
let mrtr: RunningMrtr;

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  [probe, mrtr] = await Promise.all([startRelayProbe(), startMrtr2026()]);
  await registerDiscovered(s.t, s.t.auth, { name: 'probe', url: probe.url });
  await registerDiscovered(s.t, s.t.auth, { name: 'mrtr', url: mrtr.url });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([probe?.close(), mrtr?.close()]);
});

const keyed = (key = s.t.adminKey) => ({ requestInit: { headers: { authorization: `Bearer ${key}` } } });

async function v1(capabilities: Record<string, unknown> = {}, url = s.mcp, key?: string) {
  const c = new V1Client({ name: 'relays', version: '1.0.0' }, { capabilities });
  await c.connect(new V1Transport(new URL(url), keyed(key)));
  return c;
}

const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

/** A raw 2026-07-28 `tools/call` (the envelope and mirrored headers by hand), its SSE events parsed. */
async function call2026(name: string, meta: Record<string, unknown>, args: Record<string, unknown> = {}) {
  const res = await fetch(s.mcp, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${s.t.adminKey}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
          ...meta,
        },
      },
    }),
  });
  const body = await res.text();
  const messages = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? body
        .split('\n\n')
        .map((e) =>
          e
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join(''),
        )
        .filter((d) => d !== '')
        .map((d) => JSON.parse(d) as Record<string, unknown>)
    : [JSON.parse(body) as Record<string, unknown>];
  return { status: res.status, messages };
}

describe('logging', () => {
  it('relays every log message the upstream sends during a call to a 2025-era caller, then the result', async () => {
    const c = await v1();
    try {
      const seen: unknown[] = [];
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        seen.push([n.params.level, n.params.data]);
      });
      // setLevel is session state the stateless gateway cannot keep: accepted, and every level is relayed.
      await c.setLoggingLevel('error');
      const r = await c.callTool({ name: 'probe__log', arguments: {} });
      expect(text(r)).toBe('logged');
      expect(seen).toEqual([
        ['debug', 'debug message'],
        ['info', 'info message'],
        ['warning', 'warning message'],
        ['error', 'error message'],
      ]);
      expect(c.getServerCapabilities()?.logging).toEqual({});
    } finally {
      await c.close();
    }
  });

  it('relays to a 2026-07-28 caller only the messages at or above the level in its request _meta', async () => {
    const r = await call2026('probe__log', { 'io.modelcontextprotocol/logLevel': 'warning' });
    expect(r.status).toBe(200);
    const logs = r.messages.filter((m) => m.method === 'notifications/message');
    expect(logs.map((m) => (m.params as { level: string }).level)).toEqual(['warning', 'error']);
    const last = r.messages.at(-1) as { id: number; result: { resultType: string } };
    expect([last.id, last.result.resultType]).toEqual([1, 'complete']);
  });

  it('relays no log message to a 2026-07-28 caller that named no level (one JSON answer)', async () => {
    const r = await call2026('probe__log', {});
    expect(r.messages).toHaveLength(1);
    expect(text((r.messages[0] as { result: unknown }).result)).toBe('logged');
  });
});

describe('input requests (2025 era)', () => {
  it("relays the upstream's elicitation to a caller that declared it, and the caller's answer is the upstream's", async () => {
    const c = await v1({ elicitation: {} });
    try {
      const asked: unknown[] = [];
      c.setRequestHandler(ElicitRequestSchema, async (r) => {
        asked.push(r.params.message);
        return { action: 'accept', content: { name: 'Ada' } };
      });
      const before = probe.answers().length;
      const r = await c.callTool({ name: 'probe__ask', arguments: {} });
      expect(asked).toEqual(['What is your name?']);
      expect(probe.answers().slice(before)).toEqual([{ action: 'accept', content: { name: 'Ada' } }]);
      expect(JSON.parse(text(r))).toEqual({ action: 'accept', content: { name: 'Ada' } });
    } finally {
      await c.close();
    }
  });

  it("relays the upstream's sampling request to a caller that declared it, and the caller's completion is the upstream's", async () => {
    const c = await v1({ sampling: {} });
    try {
      const completion = { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'test-model' };
      c.setRequestHandler(CreateMessageRequestSchema, async () => completion as never);
      const before = probe.answers().length;
      const r = await c.callTool({ name: 'probe__sample', arguments: {} });
      expect(probe.answers().slice(before)).toEqual([completion]);
      expect(JSON.parse(text(r))).toEqual(completion);
    } finally {
      await c.close();
    }
  });

  it('refuses the upstream request for a caller that cannot answer it: the upstream gets method-not-found, no answer', async () => {
    const c = await v1();
    try {
      const before = probe.answers().length;
      const r = (await c.callTool({ name: 'probe__ask', arguments: {} })) as { isError?: boolean };
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/-32601|not found/i);
      expect(probe.answers().length).toBe(before);
    } finally {
      await c.close();
    }
  });
});

describe('input requests (2026-07-28, multi round-trip requests)', () => {
  it("passes a 2026 upstream's input_required to a 2026 caller that declared elicitation, and its retry back", async () => {
    const c = new Client(
      { name: 'relays', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: {} } },
    );
    await c.connect(new StreamableHTTPClientTransport(new URL(s.mcp), keyed()));
    try {
      const asked: unknown[] = [];
      c.setRequestHandler('elicitation/create', async (r) => {
        asked.push(r.params.message);
        return { action: 'accept', content: { confirm: true } };
      });
      const before = mrtr.retries().length;
      const r = await c.callTool({ name: 'mrtr__deploy', arguments: { env: 'prod' } });
      expect(text(r)).toBe('deployed to prod');
      expect(asked).toEqual(['Deploy to prod?']);
      expect(mrtr.retries().slice(before)).toEqual([{ confirm: true, requestState: 'asked-prod' }]);
    } finally {
      await c.close();
    }
  });

  it('tells a 2026 upstream only the elicitation/sampling the caller declared: a caller that declared none is not asked', async () => {
    const before = mrtr.retries().length;
    const r = await call2026('mrtr__deploy', {}, { env: 'dev' });
    // The upstream refuses to ask what the request did not declare (-32021, missing client capability).
    const last = r.messages.at(-1) as { result?: unknown; error?: { code: number } };
    expect([last.result, last.error?.code]).toEqual([undefined, -32021]);
    expect(mrtr.retries().length).toBe(before);
  });
});
