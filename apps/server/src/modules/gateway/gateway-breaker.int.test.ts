/**
 * Issue 11 point 6, "a circuit breaker per upstream fails fast after repeated failures and says so" (ADR 0048):
 * a registered server that stops answering is tried for the first calls (each a -32001 naming it); once they
 * reach the threshold the next call is refused at once with the breaker's error (no connection attempt reaches
 * the server's port), the usage record says `upstream_error`, and after the cool-down a call goes through again
 * when the server is back.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';
import type { GatewayCallRecord } from './gateway-call.ts';

const THRESHOLD = 3;
const COOL_DOWN_MS = 1_500;

/**
 * The server's port, under the test's control: while `up` each connection is piped to the real MCP server;
 * while down every connection attempt is counted and dropped at once, as a stopped server's host would.
 */
async function startSwitch(target: number) {
  let up = true;
  let attemptsWhileDown = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (!up) {
      attemptsWhileDown += 1;
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const out = connect(target, '127.0.0.1');
    socket.pipe(out).pipe(socket);
    out.on('error', () => socket.destroy());
    socket.on('error', () => out.destroy());
    socket.once('close', () => out.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    attemptsWhileDown: () => attemptsWhileDown,
    stop() {
      up = false;
      for (const s of open) s.destroy();
    },
    start() {
      up = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let s: OAuthTestApp;
let gate: RunningGate;
let port: Awaited<ReturnType<typeof startSwitch>>;
const records: GatewayCallRecord[] = [];

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: {
      catalogueTtlMs: 0,
      breaker: { failureThreshold: THRESHOLD, windowMs: 60_000, coolDownMs: COOL_DOWN_MS },
      usage: { record: (r) => records.push(r) },
    },
  });
  gate = await startGate([{ name: 'look', inputSchema: { type: 'object' } }]);
  port = await startSwitch(Number(new URL(gate.origin).port));
  await registerDiscovered(s.t, s.t.auth, { name: 'flaky', url: `${port.origin}/mcp` });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await port?.close();
  await gate?.close();
});

interface RpcAnswer {
  readonly result?: { content?: { text: string }[] };
  readonly error?: { code: number; message: string; data?: Record<string, unknown> };
}

let nextId = 1;
async function call(): Promise<RpcAnswer> {
  const res = await fetch(`${s.publicUrl}/mcp`, {
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
      params: { name: 'flaky__look', arguments: {} },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as RpcAnswer;
}

describe('the circuit breaker of an upstream', () => {
  it('after the threshold of failed calls to a stopped server, fails the next call fast naming the server, then recovers after the cool-down', async () => {
    expect((await call()).result).toBeDefined();

    port.stop();
    for (let i = 0; i < THRESHOLD; i++) {
      const a = await call();
      expect(a.error?.code, JSON.stringify(a)).toBe(-32001);
      expect(a.error?.message).toContain('"flaky"');
    }
    const attempts = port.attemptsWhileDown();
    expect(attempts).toBeGreaterThanOrEqual(THRESHOLD);

    const fast = await call();
    expect(fast.error?.code, JSON.stringify(fast)).toBe(-32006);
    expect(fast.error?.message).toContain('"flaky"');
    expect(fast.error?.message).toMatch(/try it again in \d+ s/);
    expect(fast.error?.data).toMatchObject({ state: 'open', serverId: expect.any(String) });
    expect(fast.error?.data?.retryAfterMs).toBeGreaterThan(0);
    expect(fast.error?.data?.retryAfterMs).toBeLessThanOrEqual(COOL_DOWN_MS);
    // Refused without an attempt: nothing reached the server's port.
    expect(port.attemptsWhileDown()).toBe(attempts);
    expect(records.at(-1)).toMatchObject({ tool: 'look', outcome: 'upstream_error' });

    port.start();
    await eventually(
      async () => ((await call()).result !== undefined ? true : undefined),
      COOL_DOWN_MS * 4,
      'the breaker lets a trial call through after its cool-down',
    );
    // Closed again: the next call goes straight through.
    expect((await call()).result?.content?.[0]).toBeDefined();
  });
});
