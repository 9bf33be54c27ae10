/**
 * Issue 11 point 10, ADR 0049: `completion/complete` through the gateway. A `ref/prompt` (by the prompt's name on
 * the endpoint) and a `ref/resource` (by a URI template) reach the server that owns them and the caller gets what
 * a direct client gets; the request is decided by Cedar on the prompt's or template's capability, with the
 * argument being completed in `context.args`; an unknown reference is -32602.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let everything: RunningEverything;

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  everything = await startEverything('streamable-http');
  await registerDiscovered(s.t, s.t.auth, { name: 'everything', url: everything.url });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await everything?.close();
});

async function client(url: string, keyed: boolean, modern = false) {
  const c = new Client(
    { name: 'completions', version: '1.0.0' },
    modern ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  const headers = keyed ? { authorization: `Bearer ${s.t.adminKey}` } : {};
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return c;
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code?: number; message?: string; data?: unknown },
  );

describe('completion/complete through the gateway (ADR 0049)', () => {
  it('advertises completions and routes ref/prompt and ref/resource to the owning server, answering as direct', async () => {
    const [direct, gateway] = await Promise.all([client(everything.url, false), client(s.mcp, true)]);
    try {
      expect(gateway.getServerCapabilities()?.completions).toEqual({});
      const prompt = {
        argument: { name: 'name', value: 'A' },
        context: { arguments: { department: 'Engineering' } },
      };
      const mine = await direct.complete({
        ref: { type: 'ref/prompt', name: 'completable-prompt' },
        ...prompt,
      });
      expect(mine.completion.values).toEqual(['Alice']);
      expect(
        await gateway.complete({
          ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
          ...prompt,
        }),
      ).toEqual(mine);
      const template = {
        ref: { type: 'ref/resource' as const, uri: 'demo://resource/dynamic/text/{resourceId}' },
        argument: { name: 'resourceId', value: '42' },
      };
      const direct42 = await direct.complete(template);
      expect(direct42.completion.values).toEqual(['42']);
      expect(await gateway.complete(template)).toEqual(direct42);
    } finally {
      await Promise.all([direct.close(), gateway.close()]);
    }
  });

  it('answers a 2026-07-28 caller (server/discover advertises completions) as a 2025 client is answered direct', async () => {
    const [direct, gateway] = await Promise.all([client(everything.url, false), client(s.mcp, true, true)]);
    try {
      expect(gateway.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(gateway.getServerCapabilities()?.completions).toEqual({});
      const request = {
        ref: { type: 'ref/prompt' as const, name: 'completable-prompt' },
        argument: { name: 'department', value: 'S' },
      };
      const mine = await direct.complete(request);
      expect(mine.completion.values).toEqual(['Sales', 'Support']);
      const theirs = await gateway.complete({
        ...request,
        ref: { ...request.ref, name: 'everything__completable-prompt' },
      });
      expect(theirs.completion).toEqual(mine.completion);
    } finally {
      await Promise.all([direct.close(), gateway.close()]);
    }
  });

  it('answers an unknown reference with -32602', async () => {
    const gateway = await client(s.mcp, true);
    try {
      const argument = { name: 'x', value: '' };
      for (const ref of [
        { type: 'ref/prompt' as const, name: 'completable-prompt' },
        { type: 'ref/resource' as const, uri: 'demo://resource/elsewhere/{id}' },
      ]) {
        expect(await failure(gateway.complete({ ref, argument })), JSON.stringify(ref)).toMatchObject({
          code: -32602,
          message: expect.stringContaining('Unknown'),
        });
      }
    } finally {
      await gateway.close();
    }
  });

  it('decides a completion by Cedar on the prompt, with the completed argument in context.args', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: s.t.auth,
      payload: {
        name: 'no-sales-completions',
        policy:
          'forbid (principal, action == SprintConnect::Action::"tools:call", resource) when { context has args && context.args.hasTag("department") && context.args.getTag("department") == "Sales" };',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const gateway = await client(s.mcp, true);
    try {
      const ref = { type: 'ref/prompt' as const, name: 'everything__completable-prompt' };
      const denied = await eventually(() =>
        failure(
          gateway.complete({
            ref,
            argument: { name: 'name', value: '' },
            context: { arguments: { department: 'Sales' } },
          }),
        ),
      );
      expect(denied).toMatchObject({ code: -32003 });
      const decisionId = (denied.data as { decisionId?: string } | undefined)?.decisionId;
      expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(denied.message)).toContain(decisionId);
      const allowed = await gateway.complete({
        ref,
        argument: { name: 'name', value: '' },
        context: { arguments: { department: 'Support' } },
      });
      expect(allowed.completion.values).toEqual(['John', 'Kim', 'Lee']);
    } finally {
      await gateway.close();
      await s.t.app.inject({ method: 'DELETE', url: `/v1/policies/${res.json().id}`, headers: s.t.auth });
    }
  });
});
