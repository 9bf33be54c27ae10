/**
 * Issue 11 points 1 and 6 across real OS processes (ADR 0046): a caller's `notifications/cancelled` and its
 * answers to relayed input requests are separate POSTs that may reach another api process than the one running
 * the call; they still reach the call (PostgreSQL NOTIFY), and only from the principal that made it. The second
 * process is a real `sprintconnect start` on the same database (test/server-process.ts).
 */
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningRelayProbe, startRelayProbe } from '../../../test/mcp-servers/relay-probe.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';

const EGRESS = { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' };

let s: OAuthTestApp;
let other: ServerProcess;
let probe: RunningRelayProbe;
let otherKey: string;

beforeAll(async () => {
  s = await startOAuthApp({ env: EGRESS });
  [other, probe] = await Promise.all([startServerProcess(s.t.database.adminUrl, EGRESS), startRelayProbe()]);
  await registerDiscovered(s.t, s.t.auth, { name: 'probe', url: probe.url });
  // Another principal of the same org, allowed to call the same tools.
  otherKey = await s.t.keyWithScopes(['admin']);
}, 120_000);
afterAll(async () => {
  await other?.stop();
  await s?.stop();
  await probe?.close();
});

type Era = '2025-11-25' | '2026-07-28';

/** One JSON-RPC message of `era` POSTed to `base`/mcp as the holder of `key` (2026: envelope and headers). */
const post = (base: string, key: string, era: Era, message: { method: string } & Record<string, unknown>) => {
  const params = (message.params ?? {}) as Record<string, unknown>;
  const modern = era === '2026-07-28';
  const name = typeof params.name === 'string' ? { 'mcp-name': params.name } : {};
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': era,
      ...(modern ? { 'mcp-method': message.method, ...name } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      ...message,
      params: modern
        ? {
            ...params,
            _meta: {
              'io.modelcontextprotocol/protocolVersion': era,
              'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          }
        : params,
    }),
  });
};

const cancel = (base: string, key: string, era: Era, requestId: string) =>
  post(base, key, era, { method: 'notifications/cancelled', params: { requestId, reason: 'test' } });

describe('notifications/cancelled from the caller', () => {
  for (const era of ['2025-11-25', '2026-07-28'] as const) {
    it(`stops a ${era} caller's running call from another api process; another principal's cancel does nothing`, async () => {
      const tag = `cross-process-${era}`;
      const call = post(s.publicUrl, s.t.adminKey, era, {
        id: 'call-1',
        method: 'tools/call',
        params: { name: 'probe__wait', arguments: { tag } },
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
      await eventually(async () => (probe.waiting().includes(tag) ? true : undefined), 15_000);

      // Same request id, another principal, through the other process: the call goes on.
      expect((await cancel(other.url, otherKey, era, 'call-1')).status).toBe(202);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(probe.waiting()).toContain(tag);
      expect(probe.cancelled()).not.toContain(tag);

      // The caller itself, through the other process: the upstream is told and its handler stops.
      expect((await cancel(other.url, s.t.adminKey, era, 'call-1')).status).toBe(202);
      await eventually(async () => (probe.cancelled().includes(tag) ? true : undefined), 15_000);
      const answered = await call;
      expect(answered.status).toBe(200);
      expect(answered.body).not.toContain(`done ${tag}`);
    }, 60_000);
  }
});

/**
 * An SDK v1 client of the first process whose JSON-RPC responses (its answers to relayed input requests) are
 * POSTed to `answersTo` instead, as a load balancer may send them, as the holder of `answerKey`.
 */
async function splitClient(answersTo: string, answerKey: string) {
  const split: typeof fetch = (input, init) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    if (init?.method === 'POST' && body.method === undefined && ('result' in body || 'error' in body)) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${answerKey}`);
      return fetch(`${answersTo}/mcp`, { ...init, headers });
    }
    return fetch(input, init);
  };
  const c = new V1Client({ name: 'split', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  await c.connect(
    new V1Transport(new URL(s.mcp), {
      requestInit: { headers: { authorization: `Bearer ${s.t.adminKey}` } },
      fetch: split,
    }),
  );
  return c;
}

const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

describe('answers to relayed input requests', () => {
  it("reach the upstream when the caller's answer is POSTed to another api process", async () => {
    const c = await splitClient(other.url, s.t.adminKey);
    try {
      c.setRequestHandler(ElicitRequestSchema, async () => ({
        action: 'accept',
        content: { name: 'Grace' },
      }));
      const before = probe.answers().length;
      const r = await c.callTool({ name: 'probe__ask', arguments: {} });
      expect(JSON.parse(text(r))).toEqual({ action: 'accept', content: { name: 'Grace' } });
      expect(probe.answers().slice(before)).toEqual([{ action: 'accept', content: { name: 'Grace' } }]);
    } finally {
      await c.close();
    }
  }, 60_000);

  it("are ignored from another principal: the upstream never gets that principal's answer", async () => {
    const c = await splitClient(other.url, otherKey);
    try {
      c.setRequestHandler(ElicitRequestSchema, async () => ({
        action: 'accept',
        content: { name: 'Mallory' },
      }));
      const before = probe.answers().length;
      const refused = probe.refusals().length;
      // The answer is dropped, so the call waits until the caller gives up (its own timeout).
      await expect(
        c.callTool({ name: 'probe__ask', arguments: {} }, undefined, { timeout: 3_000 }),
      ).rejects.toThrow(/timed out/i);
      // When the caller gives up, the upstream's pending request is refused at once, never answered.
      await eventually(async () => (probe.refusals().length > refused ? true : undefined), 10_000);
      expect(probe.answers().slice(before)).toEqual([]);
    } finally {
      await c.close();
    }
  }, 60_000);
});
